//! Standard output for the CLI's results. `println!` panics with "Broken
//! pipe" when the reader has gone (`hub report … | head`); a command whose
//! output was closed has nothing left to do, so it ends quietly instead.

use std::io::{self, Write};

/// `println!` for results: ends the program quietly if stdout was closed.
macro_rules! outln {
    () => { $crate::cli::output::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::output::write(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` for results, with the same rule.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::output::write(format_args!($($arg)*)) };
}

pub fn write(args: std::fmt::Arguments<'_>) {
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        closed_or_fail(e);
    }
}

fn closed_or_fail(e: io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        // What was written was read; the rest was not wanted. Everything the
        // command changed is committed before it prints.
        std::process::exit(0);
    }
    eprintln!("error: writing to standard output: {e}");
    std::process::exit(1);
}
