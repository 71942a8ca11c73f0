fn main() {
    println!("sozialatlas {}", env!("CARGO_PKG_VERSION"));
}
