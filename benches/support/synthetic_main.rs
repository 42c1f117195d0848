//! Prints a synthetic blueprint: `cargo run --release --example synthetic-blueprint -- 10000 azure`.

#[path = "synthetic.rs"]
mod synthetic;

fn main() {
    let mut args = std::env::args().skip(1);
    let tenants = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let cloud = args.next().unwrap_or_else(|| "azure".to_owned());
    print!("{}", synthetic::blueprint(tenants, &cloud));
}
