//! Locking a mutex whose holder may have panicked: the data is still usable for what this
//! program keeps behind locks (counters, logs, the emulator's state), so take it anyway.

use std::sync::{Mutex, MutexGuard};

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
