// Starts `syncrules lsp` (pip install 'syncrules[lsp]') for .sync files.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("syncrules");
  const [command, ...args] = settings.get("command", ["syncrules", "lsp"]);
  client = new LanguageClient(
    "syncrules",
    "syncrules",
    { command, args },
    {
      documentSelector: [{ scheme: "file", language: "syncrules" }],
      initializationOptions: { debounce: settings.get("debounce", 0.15) },
      synchronize: {
        // an SFDX tree read by `import salesforce` changed: check again
        fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{sync,xml,toml}"),
      },
    }
  );
  context.subscriptions.push(client);
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `syncrules: cannot start "${command} ${args.join(" ")}" (${error.message}). ` +
        "Install it with: pip install 'syncrules[lsp]', or set syncrules.command."
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
