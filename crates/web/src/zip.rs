//! Deflate and inflate. The page has the browser do them (`CompressionStream`,
//! `DecompressionStream`: no compressor of its own in its wasm), so there they are async;
//! natively (tests, benchmarks) `miniz_oxide` does them at once.

/// The formats used: raw deflate (share links) and zlib (kubectl explain's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// RFC 1951, no header (`deflate-raw`).
    Raw,
    /// RFC 1950: a zlib header and checksum around deflate (`deflate`).
    Zlib,
}

/// Compresses `bytes` (raw deflate).
#[cfg(not(target_arch = "wasm32"))]
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec(bytes, 9)
}

/// Decompresses `bytes`, refusing more than `limit` bytes of output.
#[cfg(not(target_arch = "wasm32"))]
pub fn inflate(bytes: &[u8], format: Format, limit: usize) -> Result<Vec<u8>, String> {
    let r = match format {
        Format::Raw => miniz_oxide::inflate::decompress_to_vec_with_limit(bytes, limit),
        Format::Zlib => miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(bytes, limit),
    };
    r.map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => "too large".to_string(),
        s => format!("{s:?}"),
    })
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use super::Format;
    use js_sys::{Reflect, Uint8Array};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{ReadableStream, ReadableStreamDefaultReader, ReadableWritablePair, WritableStream};

    fn message(e: JsValue) -> String {
        e.as_string()
            .or_else(|| Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()))
            .unwrap_or_else(|| format!("{e:?}"))
    }

    /// `new CompressionStream(format)` (or `DecompressionStream`) as a readable/writable pair.
    /// (web-sys has them only among its unstable APIs; they are in every current browser.)
    fn transform(class: &str, format: &str) -> Result<ReadableWritablePair, JsValue> {
        let ctor: js_sys::Function = Reflect::get(&js_sys::global(), &class.into())?.dyn_into()?;
        let stream = Reflect::construct(&ctor, &js_sys::Array::of1(&format.into()))?;
        let readable: ReadableStream = Reflect::get(&stream, &"readable".into())?.dyn_into()?;
        let writable: WritableStream = Reflect::get(&stream, &"writable".into())?.dyn_into()?;
        Ok(ReadableWritablePair::new(&readable, &writable))
    }

    /// Runs `bytes` through a compression or decompression stream, reading at most `limit`
    /// bytes of its output (the rest is cancelled).
    async fn run(bytes: &[u8], compress: bool, format: Format, limit: usize) -> Result<Vec<u8>, String> {
        let format = match format {
            Format::Raw => "deflate-raw",
            Format::Zlib => "deflate",
        };
        let parts = js_sys::Array::of1(&Uint8Array::from(bytes));
        let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(message)?;
        let pair = transform(if compress { "CompressionStream" } else { "DecompressionStream" }, format).map_err(message)?;
        let reader: ReadableStreamDefaultReader = blob.stream().pipe_through(&pair).get_reader().dyn_into().map_err(|o: js_sys::Object| message(o.into()))?;
        let mut out = Vec::new();
        loop {
            let chunk = JsFuture::from(reader.read()).await.map_err(message)?;
            if Reflect::get(&chunk, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
                return Ok(out);
            }
            let data = Uint8Array::new(&Reflect::get(&chunk, &"value".into()).map_err(message)?);
            if out.len() + data.length() as usize > limit {
                let _ = reader.cancel();
                return Err("too large".into());
            }
            out.extend(data.to_vec());
        }
    }

    /// Compresses `bytes` (raw deflate).
    pub async fn deflate(bytes: &[u8]) -> Vec<u8> {
        run(bytes, true, Format::Raw, usize::MAX).await.unwrap_or_default()
    }

    /// Decompresses `bytes`, refusing more than `limit` bytes of output.
    pub async fn inflate(bytes: &[u8], format: Format, limit: usize) -> Result<Vec<u8>, String> {
        run(bytes, false, format, limit).await
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::{deflate, inflate};
