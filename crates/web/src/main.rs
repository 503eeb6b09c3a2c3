//! Entry point that Trunk builds (`web/index.html` names this binary).

fn main() {
    #[cfg(target_arch = "wasm32")]
    pilothouse_web::start();

    #[cfg(not(target_arch = "wasm32"))]
    eprintln!(
        "pilothouse-web is the browser app: run `bash scripts/serve.sh` and open the page it prints."
    );
}
