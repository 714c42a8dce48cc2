// The handler ABI: export alloc(size) and handle(ptr, len) -> (result_ptr << 32) | result_len.
use std::alloc::{alloc as allocate, Layout};

#[no_mangle]
pub extern "C" fn alloc(size: u32) -> *mut u8 {
    unsafe { allocate(Layout::from_size_align(size as usize, 1).unwrap()) }
}

#[no_mangle]
pub extern "C" fn handle(ptr: *const u8, len: u32) -> i64 {
    let event = unsafe { std::slice::from_raw_parts(ptr, len as usize) };
    let out = format!("{{\"message\":\"Hello from Rust\",\"event_bytes\":{}}}", event.len())
        .into_bytes()
        .leak();
    ((out.as_ptr() as i64) << 32) | out.len() as i64
}
