//! The allocator's settings. The binary (and the benches, so their figures are the
//! program's) allocate with mimalloc (`src/main.rs`: an audit of a million grants
//! allocates millions of small strings, where glibc's allocator spends most of its time).
//!
//! Decision: mimalloc may back its arenas with large OS pages (transparent huge pages
//! where the kernel offers them, `madvise` mode included). A 100k-key world touches about
//! a gigabyte; with 4 KiB pages a profile of its loading shows the kernel's page clearing
//! and faults as 42% of the time. Measured on `--scenario` of 100k keys / 550k grants
//! (`--summary`): 5.64 s with 4 KiB pages, 3.99 s with large pages, the same peak RSS
//! (1.03 GB). Where the kernel has no huge pages this changes nothing.

/// Apply the settings; call first thing in `main`, before any sizeable allocation
/// (memory reserved before keeps its pages).
pub fn tune() {
    // SAFETY: mi_option_set only stores an option value; mimalloc reads it when it next
    // asks the OS for memory.
    unsafe {
        libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 1);
    }
}
