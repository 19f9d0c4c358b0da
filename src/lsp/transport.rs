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

/// Reads messages until end of input or `exit`; malformed ones are logged and skipped.
pub fn read_loop(mut input: impl io::BufRead, to_server: Sender<Message>) {
    loop {
        match Message::read(&mut input) {
            Ok(Some(msg)) => {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if to_server.send(msg).is_err() || exit {
                    return;
                }
            }
            Ok(None) => return,
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                eprintln!("icslint lsp: ignored a malformed message: {e}");
            }
            Err(e) => {
                eprintln!("icslint lsp: cannot read standard input: {e}");
                return;
            }
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
}
