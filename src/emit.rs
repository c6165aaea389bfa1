//! Standard output for every command and the explorer's banner.

/// Writes to standard output. A reader that closed the pipe early
/// (`stpsim params | head`) has all it wanted, so that is not an error.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
