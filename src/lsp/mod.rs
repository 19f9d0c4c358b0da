//! `icslint lsp`: a language server over stdio, built on rust-analyzer's
//! `lsp-server` (connection, messages) and `lsp-types` (the protocol's
//! types). One thread reads, one writes; the main loop owns the [`World`].
//!
//! A burst of messages is drained before anything is re-checked, so a run
//! of edits costs one re-check of each file's latest text; requests see
//! every edit that came before them. Diagnostics carry the version of the
//! text they were computed from, and results that a queued edit has
//! already made stale are not published (the next re-check publishes them
//! with its own). A malformed message, an unknown method or a file that
//! does not parse is logged or answered with an error, never fatal.

mod diagnostics;
mod features;
mod fix;
mod incremental;
pub mod position;
mod scope;
pub mod symbols;
pub mod transport;
mod uri;
mod world;

pub use world::{Checked, World};

use crate::source::FileId;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{notification as n, request as r};
use lsp_types::{
    CompletionOptions, FoldingRangeProviderCapability, GotoDefinitionResponse, Hover,
    HoverContents, HoverProviderCapability, InitializeParams, MarkupContent, MarkupKind, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use position::LineIndex;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

/// Runs the server on stdin/stdout until `exit`. Returns the exit status:
/// 0 after `shutdown` then `exit`, 1 for an `exit` without `shutdown` or a
/// lost connection (as the protocol says).
pub fn run() -> i32 {
    let (conn, io) = transport::stdio();
    let code = match serve(&conn) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("icslint lsp: {e}");
            1
        }
    };
    drop(conn);
    io.join();
    code
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["@".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// Where the rule reference lives; `codeDescription` links to a rule's anchor in it.
fn default_rules_url() -> String {
    let repo = env!("CARGO_PKG_REPOSITORY");
    if !repo.is_empty() {
        return format!("{repo}/blob/main/docs/rules.md");
    }
    let local = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    uri::of_path(std::path::Path::new(local)).map_or_else(
        || "https://example.invalid/docs/rules.md".to_string(),
        |u| u.as_str().to_string(),
    )
}

fn roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| uri::to_path(&f.uri))
        .collect();
    #[allow(deprecated)]
    if out.is_empty() {
        if let Some(p) = params.root_uri.as_ref().and_then(uri::to_path) {
            out.push(p);
        }
    }
    out.iter().map(|p| world::canonical(p)).collect()
}

struct Server<'a> {
    conn: &'a Connection,
    world: World,
    rules_url: String,
    /// The diagnostics last published for each file (absent: none).
    published: HashMap<FileId, Vec<lsp_types::Diagnostic>>,
    /// What re-checks found that is not published yet (a newer edit was
    /// queued when they ended).
    unpublished: Option<Checked>,
    /// Messages read from the connection and not yet handled.
    queue: VecDeque<Message>,
    shutdown: bool,
}

fn serve(conn: &Connection) -> Result<i32, String> {
    let (id, params) = conn.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let rules_url = params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("rulesUrl"))
        .and_then(|v| v.as_str())
        .map_or_else(default_rules_url, str::to_string);
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files)
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "icslint".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
    });
    conn.initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    // Answered before the workspace is read: the client goes on (opens
    // files, sends requests) while the server reads, parses and checks
    // it. Whatever the client sends meanwhile waits in the connection's
    // queue and is handled, in order, once the workspace is loaded and
    // checked: diagnostics are those of the whole check, and a request
    // sees the workspace it names (never an empty or half-read one).
    let world = World::load(&roots(&params));
    let mut s = Server {
        conn,
        world,
        rules_url,
        published: HashMap::new(),
        unpublished: None,
        queue: VecDeque::new(),
        shutdown: false,
    };
    if watch {
        s.watch_files();
    }
    s.refresh();
    loop {
        if s.queue.is_empty() {
            let Ok(first) = conn.receiver.recv() else {
                return Ok(1);
            };
            s.queue.push_back(first);
        }
        // Drain what has queued up: a burst of edits is applied together
        // and re-checked once.
        s.queue.extend(conn.receiver.try_iter());
        while let Some(msg) = s.queue.pop_front() {
            match msg {
                Message::Request(req) => s.request(req),
                Message::Notification(not) if not.method == n::Exit::METHOD => {
                    return Ok(if s.shutdown { 0 } else { 1 });
                }
                Message::Notification(not) => s.notification(not),
                Message::Response(_) => {}
            }
        }
        if !s.shutdown {
            s.refresh();
        }
    }
}

/// Whether a message changes a text or the files of the workspace (so the
/// results of a check made before it are stale).
fn changes_texts(m: &Message) -> bool {
    matches!(m, Message::Notification(not) if matches!(
        not.method.as_str(),
        n::DidOpenTextDocument::METHOD
            | n::DidChangeTextDocument::METHOD
            | n::DidSaveTextDocument::METHOD
            | n::DidCloseTextDocument::METHOD
            | n::DidChangeWatchedFiles::METHOD
    ))
}

fn parse<P: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<P, String> {
    serde_json::from_value(v).map_err(|e| format!("invalid parameters: {e}"))
}

impl Server<'_> {
    fn send(&self, m: impl Into<Message>) {
        let _ = self.conn.sender.send(m.into());
    }

    /// Asks the client to report changes to `.icg` and YAML files on disk
    /// (files it has not opened), so the workspace follows them.
    fn watch_files(&self) {
        let watchers: Vec<lsp_types::FileSystemWatcher> = ["**/*.icg", "**/*.yaml", "**/*.yml"]
            .iter()
            .map(|g| lsp_types::FileSystemWatcher {
                glob_pattern: lsp_types::GlobPattern::String(g.to_string()),
                kind: None,
            })
            .collect();
        let registration = lsp_types::Registration {
            id: "icslint-watch".into(),
            method: n::DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(
                lsp_types::DidChangeWatchedFilesRegistrationOptions { watchers },
            )
            .ok(),
        };
        self.send(Request::new(
            "icslint-watch".to_string().into(),
            r::RegisterCapability::METHOD.into(),
            lsp_types::RegistrationParams {
                registrations: vec![registration],
            },
        ));
    }

    fn log(&self, message: String) {
        eprintln!("icslint lsp: {message}");
        self.send(Notification::new(
            n::LogMessage::METHOD.into(),
            lsp_types::LogMessageParams {
                typ: lsp_types::MessageType::WARNING,
                message,
            },
        ));
    }

    /// Re-checks if anything changed and publishes the diagnostics of each
    /// file whose diagnostics changed, clearing those of files that no
    /// longer have findings. If an edit arrived meanwhile, the results are
    /// stale: nothing is published until the re-check of that edit.
    fn refresh(&mut self) {
        // A bug in a rule must not take the editor's server down with it.
        let world = &mut self.world;
        let fresh = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| world.refresh()))
        {
            Ok(fresh) => fresh,
            Err(_) => {
                self.log("the check failed (an internal error); the last diagnostics stand".into());
                return;
            }
        };
        let checked = match (self.unpublished.take(), fresh) {
            (None, None) => return,
            (Some(c), None) | (None, Some(c)) => c,
            (Some(earlier), Some(c)) => earlier.union(c),
        };
        self.queue.extend(self.conn.receiver.try_iter());
        if self.queue.iter().any(changes_texts) {
            self.unpublished = Some(checked);
            return;
        }
        let ws = &self.world.ws;
        let now: HashMap<FileId, Vec<lsp_types::Diagnostic>> = diagnostics::publish(
            ws,
            self.world
                .findings
                .iter()
                .filter(|f| diagnostics::concerns(f, &checked)),
            &self.rules_url,
        )
        .into_iter()
        .filter(|(f, _)| checked.contains(*f))
        .collect();
        for (file, diags) in &now {
            if self.published.get(file) != Some(diags) {
                self.publish(*file, diags.clone());
            }
        }
        let cleared: Vec<FileId> = self
            .published
            .keys()
            .filter(|f| checked.contains(**f) && !now.contains_key(*f))
            .copied()
            .collect();
        for file in cleared {
            self.publish(file, Vec::new());
            self.published.remove(&file);
        }
        self.published.extend(now);
    }

    fn publish(&self, file: FileId, diags: Vec<lsp_types::Diagnostic>) {
        let Some(u) = uri::of_file(&self.world.ws, file) else {
            return;
        };
        self.send(Notification::new(
            n::PublishDiagnostics::METHOD.into(),
            PublishDiagnosticsParams::new(u, diags, self.world.version(file)),
        ));
    }

    fn notification(&mut self, not: Notification) {
        if let Err(e) = self.try_notification(&not) {
            self.log(format!("{}: {e}", not.method));
        }
    }

    fn try_notification(&mut self, not: &Notification) -> Result<(), String> {
        let w = &mut self.world;
        match not.method.as_str() {
            n::DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = parse(not.params.clone())?;
                let path = uri::to_path(&p.text_document.uri).ok_or("not a file URI")?;
                let Some(file) = w.open(&path, p.text_document.text) else {
                    return Err(format!("{} is not an .icg file", path.display()));
                };
                w.set_version(file, p.text_document.version);
            }
            n::DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams = parse(not.params.clone())?;
                let path = uri::to_path(&p.text_document.uri).ok_or("not a file URI")?;
                let file = w.file(&path).ok_or("change to a file that is not open")?;
                let mut text = w.text(file).to_string();
                for c in p.content_changes {
                    match c.range {
                        Some(range) => {
                            let span = LineIndex::new(&text).span(&text, range);
                            text.replace_range(span.start..span.end, &c.text);
                        }
                        None => text = c.text,
                    }
                }
                w.set(file, text);
                w.set_version(file, p.text_document.version);
            }
            n::DidSaveTextDocument::METHOD => {
                let p: lsp_types::DidSaveTextDocumentParams = parse(not.params.clone())?;
                let path = uri::to_path(&p.text_document.uri).ok_or("not a file URI")?;
                match (p.text, w.file(&path)) {
                    (Some(text), Some(f)) => w.set(f, text),
                    _ => w.disk_changed(&path),
                }
            }
            n::DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = parse(not.params.clone())?;
                let path = uri::to_path(&p.text_document.uri).ok_or("not a file URI")?;
                w.close(&path);
            }
            n::DidChangeWatchedFiles::METHOD => {
                let p: lsp_types::DidChangeWatchedFilesParams = parse(not.params.clone())?;
                for c in p.changes {
                    if let Some(path) = uri::to_path(&c.uri) {
                        w.disk_changed(&path);
                    }
                }
            }
            // `$/cancelRequest`, `initialized`, `$/setTrace`...: nothing to do.
            _ => {}
        }
        Ok(())
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        if self.shutdown {
            self.send(Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            ));
            return;
        }
        if req.method == r::Shutdown::METHOD {
            self.shutdown = true;
            self.send(Response::new_ok(id, ()));
            return;
        }
        // Requests see every edit that came before them.
        self.refresh();
        // Requests that read the model read `World::symbols`, which every
        // re-check keeps up to date: nothing is lowered again here.
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(&req)))
            .unwrap_or_else(|_| Err((ErrorCode::InternalError, "an internal error".into())));
        let resp = match answer {
            Ok(v) => Response::new_ok(id, v.unwrap_or(serde_json::Value::Null)),
            Err((code, message)) => {
                if !matches!(code, ErrorCode::MethodNotFound) {
                    self.log(format!("{}: {message}", req.method));
                }
                Response::new_err(id, code as i32, message)
            }
        };
        self.send(resp);
    }

    /// The file and byte offset a position names.
    fn locate(
        &self,
        p: &lsp_types::TextDocumentPositionParams,
    ) -> Result<(crate::source::FileId, usize), (ErrorCode, String)> {
        let file = uri::to_path(&p.text_document.uri)
            .and_then(|path| self.world.file(&path))
            .ok_or((
                ErrorCode::InvalidParams,
                "not a file of the workspace".into(),
            ))?;
        let text = self.world.text(file);
        Ok((file, LineIndex::new(text).offset(text, p.position)))
    }

    fn answer(&self, req: &Request) -> Result<Option<serde_json::Value>, (ErrorCode, String)> {
        let bad = |e: String| (ErrorCode::InvalidParams, e);
        let json = |v: serde_json::Value| Ok(Some(v));
        let ws = &self.world.ws;
        match req.method.as_str() {
            r::HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = parse(req.params.clone()).map_err(bad)?;
                let (file, offset) = self.locate(&p.text_document_position_params)?;
                let Some(text) = self.world.hover(file, offset) else {
                    return Ok(None);
                };
                json(serde_json::json!(Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: text
                    }),
                    range: None,
                }))
            }
            r::GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = parse(req.params.clone()).map_err(bad)?;
                let (file, offset) = self.locate(&p.text_document_position_params)?;
                Ok(self
                    .world
                    .definition(file, offset)
                    .map(|l| serde_json::json!(GotoDefinitionResponse::Scalar(l))))
            }
            r::References::METHOD => {
                let p: lsp_types::ReferenceParams = parse(req.params.clone()).map_err(bad)?;
                let (file, offset) = self.locate(&p.text_document_position)?;
                json(serde_json::json!(features::references(
                    ws,
                    file,
                    offset,
                    p.context.include_declaration
                )))
            }
            r::DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = parse(req.params.clone()).map_err(bad)?;
                let file = self.doc(&p.text_document.uri)?;
                json(serde_json::json!(features::document_symbols(ws, file)))
            }
            r::WorkspaceSymbolRequest::METHOD => {
                let p: lsp_types::WorkspaceSymbolParams = parse(req.params.clone()).map_err(bad)?;
                json(serde_json::json!(self.world.workspace_symbols(&p.query)))
            }
            r::FoldingRangeRequest::METHOD => {
                let p: lsp_types::FoldingRangeParams = parse(req.params.clone()).map_err(bad)?;
                let file = self.doc(&p.text_document.uri)?;
                json(serde_json::json!(features::folding_ranges(ws, file)))
            }
            r::Completion::METHOD => {
                let p: lsp_types::CompletionParams = parse(req.params.clone()).map_err(bad)?;
                let (file, offset) = self.locate(&p.text_document_position)?;
                json(serde_json::json!(self.world.completion(file, offset)))
            }
            r::CodeActionRequest::METHOD => {
                let p: lsp_types::CodeActionParams = parse(req.params.clone()).map_err(bad)?;
                let file = self.doc(&p.text_document.uri)?;
                json(serde_json::json!(fix::actions(
                    &p.text_document.uri,
                    self.world.text(file),
                    &p
                )))
            }
            r::Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams =
                    parse(req.params.clone()).map_err(bad)?;
                let file = self.doc(&p.text_document.uri)?;
                let text = self.world.text(file);
                // `icslint fmt`'s layout; a file that does not parse is left
                // alone (its ICG001 is already among the diagnostics).
                match crate::fmt::format(text) {
                    Ok(new) if new != text => {
                        let whole = LineIndex::new(text)
                            .range(text, crate::source::Span::new(0, text.len()));
                        json(serde_json::json!([lsp_types::TextEdit {
                            range: whole,
                            new_text: new
                        }]))
                    }
                    _ => json(serde_json::json!([])),
                }
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("icslint does not handle {}", req.method),
            )),
        }
    }

    fn doc(&self, u: &Uri) -> Result<crate::source::FileId, (ErrorCode, String)> {
        uri::to_path(u)
            .and_then(|path| self.world.file(&path))
            .ok_or((
                ErrorCode::InvalidParams,
                "not a file of the workspace".into(),
            ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn request(id: i32, method: &str, params: Value) -> Message {
        Message::Request(Request::new(id.into(), method.into(), params))
    }

    fn notification(method: &str, params: Value) -> Message {
        Message::Notification(Notification::new(method.into(), params))
    }

    /// `initialize` is answered before the workspace is read; what the
    /// client sends straight after waits for the load and the first check:
    /// a definition asked at once, in a file never opened, finds the
    /// declaration in another file, and each file's diagnostics are
    /// published once, after the answer to `initialize`.
    #[test]
    fn requests_sent_during_the_load_see_the_loaded_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let dir = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(dir.join("icslint.yaml"), "select: [ICG]\n").unwrap();
        std::fs::write(dir.join("a.icg"), "system tees \"Tees\" { regime 2022 }\n").unwrap();
        let b = "icb t \"T ICB\" { system @tees; membrship_review every 12 months }\n";
        std::fs::write(dir.join("b.icg"), b).unwrap();
        let (a_uri, b_uri) = (
            uri::of_path(&dir.join("a.icg")).unwrap(),
            uri::of_path(&dir.join("b.icg")).unwrap(),
        );
        let root = uri::of_path(&dir).unwrap();
        let at = b.find("@tees").unwrap() + 2;
        let (server, client) = Connection::memory();
        for m in [
            request(
                1,
                "initialize",
                json!({"processId": null, "rootUri": root, "capabilities": {}}),
            ),
            notification("initialized", json!({})),
            request(
                2,
                "textDocument/definition",
                json!({"textDocument": {"uri": b_uri}, "position": {"line": 0, "character": at}}),
            ),
            request(3, "shutdown", Value::Null),
            notification("exit", Value::Null),
        ] {
            client.sender.send(m).unwrap();
        }
        assert_eq!(serve(&server), Ok(0));
        drop(server);
        let mut events = Vec::new();
        for m in client.receiver.try_iter() {
            match m {
                Message::Response(r) if r.id == 2.into() => {
                    let l: lsp_types::Location =
                        serde_json::from_value(serde_json::to_value(&r).unwrap()["result"].clone())
                            .unwrap();
                    events.push(format!(
                        "definition {} line {}",
                        l.uri.as_str(),
                        l.range.start.line
                    ));
                }
                Message::Response(r) => events.push(format!("response {}", r.id)),
                Message::Notification(n) if n.method == n::PublishDiagnostics::METHOD => {
                    let p: PublishDiagnosticsParams = serde_json::from_value(n.params).unwrap();
                    events.push(format!("{} {}", p.uri.as_str(), p.diagnostics.len()));
                }
                _ => {}
            }
        }
        assert_eq!(
            events,
            [
                "response 1".to_string(),
                format!("{} 1", b_uri.as_str()),
                format!("definition {} line 0", a_uri.as_str()),
                "response 3".to_string(),
            ]
        );
    }

    /// Results a queued edit has made stale are never published: with a
    /// hover-like request between two versions of a file, the check made
    /// for the request finds version 2 already queued, so version 1's
    /// diagnostics are never sent; version 2's are, once, with its number.
    #[test]
    fn stale_versions_are_not_published() {
        let dir = tempfile::tempdir().unwrap();
        let dir = std::fs::canonicalize(dir.path()).unwrap();
        let path = dir.join("tees.icg");
        let one = "system tees \"Tees\" { regime 2022 }\nicb t \"T ICB\" { system @tees; membrship_review every 12 months }\n";
        let two = one.replace("regime 2022", "regim 2022");
        std::fs::write(&path, one).unwrap();
        std::fs::write(dir.join("icslint.yaml"), "select: [ICG]\n").unwrap();
        let file = uri::of_path(&path).unwrap();
        let root = uri::of_path(&dir).unwrap();
        let (server, client) = Connection::memory();
        for m in [
            request(
                1,
                "initialize",
                json!({"processId": null, "rootUri": root, "capabilities": {}}),
            ),
            notification("initialized", json!({})),
            notification(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": file, "languageId": "icg", "version": 1, "text": one}}),
            ),
            request(2, "workspace/symbol", json!({"query": "tees"})),
            notification(
                "textDocument/didChange",
                json!({"textDocument": {"uri": file, "version": 2}, "contentChanges": [{"text": two}]}),
            ),
            request(3, "workspace/symbol", json!({"query": "tees"})),
            request(4, "shutdown", Value::Null),
            notification("exit", Value::Null),
        ] {
            client.sender.send(m).unwrap();
        }
        assert_eq!(serve(&server), Ok(0));
        drop(server);
        let mut events = Vec::new();
        for m in client.receiver.try_iter() {
            match m {
                Message::Response(r) => events.push(format!("response {}", r.id)),
                Message::Notification(n) if n.method == n::PublishDiagnostics::METHOD => {
                    let p: PublishDiagnosticsParams = serde_json::from_value(n.params).unwrap();
                    if p.uri == file {
                        let codes: Vec<String> = p
                            .diagnostics
                            .iter()
                            .map(|d| match &d.code {
                                Some(lsp_types::NumberOrString::String(s)) => s.clone(),
                                _ => String::new(),
                            })
                            .collect();
                        events.push(format!("v{:?} {}", p.version, codes.join(" ")));
                    }
                }
                _ => {}
            }
        }
        assert_eq!(
            events,
            [
                "response 1",
                "response 2",
                "vSome(2) ICG002 ICG002",
                "response 3",
                "response 4"
            ]
        );
    }
}
