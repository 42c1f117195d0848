# syntax=docker/dockerfile:1
#
# The clusterwright container image: the release binary on a distroless base.
#
#   docker build -t clusterwright .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" clusterwright \
#     check blueprint.yaml -o platform/
#
# Build stage and runtime stage share one Debian release (12, bookworm) so the binary's glibc
# is the one it runs against. The Rust version is the toolchain the project is developed and
# tested with; it must stay at or above `rust-version` in Cargo.toml.
ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
# The registry and target directories are BuildKit cache mounts, so a rebuild after a source
# change does not download or compile the dependencies again. A cache mount is gone after the
# step, hence the copy out of target/ in the same step. --locked: exactly Cargo.lock's versions.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
 && install -D -m 0755 target/release/clusterwright /out/clusterwright

# cc: glibc, libgcc_s and libm, which is all the binary links against (no OpenSSL, no C
# dependencies). nonroot: uid and gid 65532, no shell, no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="clusterwright" \
      org.opencontainers.image.description="Compiles a Kubernetes platform blueprint into reviewable Terraform, Crossplane manifests and Helm values" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/clusterwright /usr/local/bin/clusterwright
# Mount the repository here. `check` and `diff` only read it; `generate` writes the output
# directory, so run as the mount's owner: --user "$(id -u):$(id -g)".
WORKDIR /work
# Numeric, so that Kubernetes runAsNonRoot can verify it: 65532 is distroless's `nonroot`.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/clusterwright"]
CMD ["--help"]
