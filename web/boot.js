// Loads the app. Trunk writes the hashed names of the wasm-bindgen module and the wasm file into
// the data attributes of the <script> tag that loads this file (`pattern_script` in Trunk.toml),
// so the page needs no inline script and its Content-Security-Policy can forbid them.
const tag = document.querySelector('script[data-pilothouse-js][data-pilothouse-wasm]');
const { default: init } = await import(tag.dataset.pilothouseJs);
await init({ module_or_path: tag.dataset.pilothouseWasm });
