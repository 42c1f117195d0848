//! End-to-end tests of the `clusterwright` binary and the library.
