//! Standard input and output, framed as the protocol says. `lsp-server`
//! gives the message types, their framing and serialisation; its own stdio
//! transport ends the reader thread at the first malformed message, so this
//! one reads with `Message::read` and, when a message is not valid JSON-RPC,
//! logs it and reads on: the body has been consumed, the next header follows.

use crossbeam_channel::{unbounded, Receiver, Sender};
use lsp_server::{Connection, Message};
use std::io::{self, BufReader};
use std::thread::{self, JoinHandle};

pub struct IoThreads {
    writer: JoinHandle<io::Result<()>>,
}

impl IoThreads {
    /// Waits until every message sent has been written. The reader is not
    /// waited for: it may be blocked on input that never comes.
    pub fn join(self) {
        let _ = self.writer.join();
    }
}

/// A connection over stdio. Incoming messages queue without bound, so the
/// server can drain a burst of edits and re-check once.
pub fn stdio() -> (Connection, IoThreads) {
    let (to_server, receiver): (Sender<Message>, Receiver<Message>) = unbounded();
    let (sender, from_server): (Sender<Message>, Receiver<Message>) = unbounded();
    let writer = thread::spawn(move || {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        for msg in from_server {
            msg.write(&mut out)?;
        }
        Ok(())
    });
    thread::spawn(move || read_loop(BufReader::new(io::stdin().lock()), to_server));
    (Connection { sender, receiver }, IoThreads { writer })
}

/// The largest message read: an editor sends a document's whole text on
/// open, and icslint checks texts under 4 GiB, but a message this size is
/// already far past any document a board writes. A larger `Content-Length`
/// is refused before anything is allocated for it.
pub const MAX_MESSAGE: u64 = 256 << 20;

/// The longest header line: headers are a few dozen bytes.
const MAX_HEADER_LINE: u64 = 8 << 10;

/// Why a frame was not read.
enum Frame {
    /// A message's body.
    Body(Vec<u8>),
    /// End of input.
    End,
    /// A frame that was skipped, and why (logged; the next frame follows).
    Skipped(String),
}

/// One frame: headers, then a body of `Content-Length` bytes. Unlike
/// `lsp-server`'s reader, a header line and a body each have a limit, so
/// input can never make the server allocate more than [`MAX_MESSAGE`]; the
/// body of a message over the limit is read past and dropped.
fn read_frame(input: &mut impl io::BufRead) -> io::Result<Frame> {
    use std::io::{BufRead, Read};
    let mut size: Option<u64> = None;
    let mut bad: Option<String> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(Frame::End);
        }
        if !line.ends_with(b"\n") {
            // Past the limit without a line end: nothing here is a frame.
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a header line longer than {MAX_HEADER_LINE} bytes"),
            ));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if size.is_some() || bad.is_some() {
                break;
            }
            continue; // blank lines between frames
        }
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("Content-Length") => {
                match value.trim().parse::<u64>() {
                    Ok(n) => size = Some(n),
                    Err(_) => {
                        bad = Some(format!(
                            "a Content-Length that is not a number: {:?}",
                            value.trim()
                        ))
                    }
                }
            }
            Some(_) => {}
            // That line alone is dropped: a frame may follow.
            None => return Ok(Frame::Skipped(format!("a malformed header: {text:?}"))),
        }
    }
    let Some(size) = size else {
        return Ok(Frame::Skipped(
            bad.unwrap_or_else(|| "a message without Content-Length".into()),
        ));
    };
    if size > MAX_MESSAGE {
        io::copy(&mut input.by_ref().take(size), &mut io::sink())?;
        return Ok(Frame::Skipped(format!(
            "a message of {size} bytes; the limit is {MAX_MESSAGE}"
        )));
    }
    let mut body = Vec::with_capacity(size.min(1 << 20) as usize);
    input.by_ref().take(size).read_to_end(&mut body)?;
    if (body.len() as u64) < size {
        return Ok(Frame::End);
    }
    if let Some(why) = bad {
        return Ok(Frame::Skipped(why));
    }
    Ok(Frame::Body(body))
}

/// Reads messages until end of input or `exit`; malformed ones are logged and skipped.
pub fn read_loop(mut input: impl io::BufRead, to_server: Sender<Message>) {
    loop {
        let body = match read_frame(&mut input) {
            Ok(Frame::Body(body)) => body,
            Ok(Frame::End) => return,
            Ok(Frame::Skipped(why)) => {
                eprintln!("icslint lsp: ignored {why}");
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                eprintln!("icslint lsp: cannot read standard input: {e}");
                return;
            }
            Err(e) => {
                eprintln!("icslint lsp: cannot read standard input: {e}");
                return;
            }
        };
        match serde_json::from_slice::<Message>(&body) {
            Ok(msg) => {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if to_server.send(msg).is_err() || exit {
                    return;
                }
            }
            Err(e) => eprintln!("icslint lsp: ignored a malformed message: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn malformed_messages_are_skipped() {
        let input = [
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","whatever":1}"#),
            "X-Garbage\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            frame(r#"{"jsonrpc":"2.0","method":"never-read"}"#),
        ]
        .concat();
        let (tx, rx) = unbounded();
        read_loop(io::Cursor::new(input.into_bytes()), tx);
        let got: Vec<String> = rx
            .try_iter()
            .map(|m| match m {
                Message::Notification(n) => n.method,
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(got, ["initialized", "exit"]);
    }

    /// A `Content-Length` of an exabyte, or of a gigabyte more than the
    /// limit, is refused without allocating it: the body is read past (here,
    /// to the end of input) and the next message, if any, is read.
    #[test]
    fn an_absurd_content_length_is_refused_not_allocated() {
        let huge = "Content-Length: 999999999999999999\r\n\r\n{}";
        let (tx, rx) = unbounded();
        read_loop(io::Cursor::new(huge.as_bytes().to_vec()), tx);
        assert_eq!(rx.try_iter().count(), 0);

        let over = MAX_MESSAGE + 1;
        let input = [
            format!("Content-Length: {over}\r\n\r\n"),
            // The body is the following bytes: too few, so input ends here.
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
        ]
        .concat();
        let (tx, rx) = unbounded();
        read_loop(io::Cursor::new(input.into_bytes()), tx);
        assert_eq!(rx.try_iter().count(), 0);

        let input = [
            "Content-Length: -5\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
        ]
        .concat();
        let (tx, rx) = unbounded();
        read_loop(io::Cursor::new(input.into_bytes()), tx);
        let got: Vec<_> = rx.try_iter().collect();
        assert_eq!(got.len(), 1, "{got:?}");
    }

    /// A header line without end is not read into memory without end.
    #[test]
    fn an_endless_header_line_ends_the_reader() {
        let input = vec![b'x'; 1 << 20];
        let (tx, rx) = unbounded();
        read_loop(io::Cursor::new(input), tx);
        assert_eq!(rx.try_iter().count(), 0);
    }
}
