//! The admin shell: what a command added with
//! [`App::shell_command`](crate::App::shell_command) gets.

pub use lona_server::shell::ShellCall;
