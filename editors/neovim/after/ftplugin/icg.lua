-- icslint for Neovim 0.7 or later (tested with 0.7.2, Debian 12's, by
-- tests/editors.rs). Install: copy editors/neovim/ftdetect and
-- editors/neovim/after into ~/.config/nvim/ (ftdetect/icg.vim gives .icg
-- files the filetype `icg`), or add editors/neovim to 'runtimepath' as a
-- package (README, "In an editor"). For each ICG buffer it starts
-- `icslint lsp`, one server per workspace: rooted at the nearest
-- icslint.yaml, else the nearest .git, else the file's folder.
vim.bo.commentstring = "# %s"

if vim.fn.executable("icslint") ~= 1 then
  if not vim.g.icslint_missing_said then
    vim.g.icslint_missing_said = true
    vim.notify("icslint is not on the PATH: pipx install icslint", vim.log.levels.WARN)
  end
  return
end

local buf = vim.api.nvim_get_current_buf()
local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ":p:h")
local up = vim.fn.escape(dir, " ,;") .. ";"
local root = dir
local yaml = vim.fn.findfile("icslint.yaml", up)
if yaml ~= "" then
  root = vim.fn.fnamemodify(yaml, ":p:h")
else
  local git = vim.fn.finddir(".git", up)
  if git ~= "" then
    root = vim.fn.fnamemodify(git, ":p:h:h")
  end
end

local config = { name = "icslint", cmd = { "icslint", "lsp" }, root_dir = root }
if vim.lsp.start then
  -- 0.8 and later: reuses the client of the same name and root.
  vim.lsp.start(config)
else
  -- 0.7: start one client per root, and attach each buffer to it.
  _G.icslint_clients = _G.icslint_clients or {}
  local id = _G.icslint_clients[root]
  if not id or vim.lsp.client_is_stopped(id) then
    id = vim.lsp.start_client(config)
    _G.icslint_clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(buf, id)
  end
end
