// Tokenises a sample with the TextMate grammar (vscode-textmate, the engine
// VS Code uses) and checks the scope of each kind of token. Run by
// tests/editors.rs after `npm install`; exits non-zero on a mismatch.
const fs = require("fs");
const path = require("path");
const tm = require("vscode-textmate");
const onig = require("vscode-oniguruma");

const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
const lib = onig.loadWASM(wasm).then(() => ({
  createOnigScanner: (s) => new onig.OnigScanner(s),
  createOnigString: (s) => new onig.OnigString(s),
}));
const registry = new tm.Registry({
  onigLib: lib,
  loadGrammar: async () =>
    tm.parseRawGrammar(
      fs.readFileSync(path.join(__dirname, "..", "syntaxes", "icg.tmLanguage.json"), "utf8"),
      "icg.tmLanguage.json"
    ),
});

const sample = [
  'icb nm_icb "NHS Northmoor ICB" {    # expect: CCN111',
  "    system @northmoor",
  "    established 2022-07-01",
  "    membership_review every 12 months",
  '    member "Chair" { role chair; councillor no }',
  "    budget £3.5m; share 56%",
  "    # icslint: allow CCN016 -- agreed with the council",
  '    remit """',
  "        The Board assesses needs",
  '    """',
  "}",
];

// [line, token text, a scope the token must have]
const expected = [
  [0, "icb", "storage.type.block.icg"],
  [0, "nm_icb", "entity.name.type.id.icg"],
  [0, '"', "string.quoted.double.icg"],
  [0, "expect", "comment.line.number-sign.expectation.icg"],
  [1, "system", "variable.other.property.key.icg"],
  [1, "@northmoor", "variable.other.reference.icg"],
  [2, "2022-07-01", "constant.numeric.date.icg"],
  [3, "every", "keyword.operator.word.icg"],
  [3, "months", "keyword.other.unit.icg"],
  [4, "member", "storage.type.block.icg"],
  [4, "role", "variable.other.property.key.icg"],
  [4, "chair", "constant.other.word.icg"],
  [4, "councillor", "variable.other.property.key.icg"],
  [4, "no", "constant.language.boolean.icg"],
  [5, "£3.5m", "constant.numeric.money.icg"],
  [5, "56%", "constant.numeric.percent.icg"],
  [6, "icslint:", "keyword.other.directive.icg"],
  [8, "        The Board assesses needs", "string.quoted.triple.icg"],
];

registry.loadGrammar("source.icg").then((grammar) => {
  let state = tm.INITIAL;
  const lines = sample.map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
  let failed = 0;
  for (const [line, text, scope] of expected) {
    const tok = lines[line].find((t) => t.text === text || t.text.trim() === text);
    if (!tok || !tok.scopes.includes(scope)) {
      failed++;
      console.error(`line ${line}: ${JSON.stringify(text)} should be ${scope}, got ${tok ? tok.scopes.join(" ") : "no such token"}`);
      console.error("  tokens: " + JSON.stringify(lines[line].map((t) => [t.text, t.scopes.slice(1)])));
    }
  }
  console.log(`${expected.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
});
