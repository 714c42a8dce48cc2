// Handler ABI in Rust, built with: rustc --target wasm32-unknown-unknown --crate-type cdylib -O
// alloc hands out a buffer the host writes the event into; handle answers with JSON.

#[no_mangle]
pub extern "C" fn alloc(size: i32) -> i32 {
    let mut buffer = Vec::<u8>::with_capacity(size as usize);
    let pointer = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    pointer as i32
}

#[no_mangle]
pub extern "C" fn handle(pointer: i32, length: i32) -> i64 {
    let event = unsafe { std::slice::from_raw_parts(pointer as *const u8, length as usize) };
    let answer = format!("{{\"greeting\":\"Hello from Rust\",\"event\":{}}}", String::from_utf8_lossy(event));
    let output = answer.into_bytes().into_boxed_slice();
    let (at, len) = (output.as_ptr() as i64, output.len() as i64);
    std::mem::forget(output);
    (at << 32) | len
}
