#[tokio::main]
async fn main() -> std::process::ExitCode {
    los::main_entry().await
}
