//! Small building blocks that know nothing of alerts, Flex or the commands, shared by every
//! layer above: they import nothing of ours (only each other, one way).

pub mod atomic_file;
pub mod clock;
pub mod env;
pub mod har;
pub mod lock;
pub mod loopback;
pub mod regular_file;
pub mod secret;
pub mod shown;
pub mod suggest;
pub mod time;
pub mod tls;
pub mod yaml;
