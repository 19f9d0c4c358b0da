// Starts `icslint lsp` for .icg files. The server does the work; this file
// only tells VS Code how to run it.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("icslint");
  const command = config.get("path") || "icslint";
  const rulesUrl = config.get("rulesUrl");
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "icslint",
    "icslint",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", language: "icg" }],
      initializationOptions: rulesUrl ? { rulesUrl } : {},
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{icg,yaml}"),
      },
    }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
