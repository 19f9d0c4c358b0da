-- icslint for Neovim (0.8 or later): put this in ~/.config/nvim/after/ftplugin/icg.lua,
-- or source it from init.lua. It gives .icg files their filetype and starts
-- `icslint lsp` for them, rooted at the nearest icslint.yaml (else .git).
vim.filetype.add({ extension = { icg = "icg" } })

vim.api.nvim_create_autocmd("FileType", {
  pattern = "icg",
  callback = function(args)
    vim.bo[args.buf].commentstring = "# %s"
    local root = vim.fs.dirname(vim.fs.find({ "icslint.yaml", ".git" }, {
      upward = true,
      path = vim.fs.dirname(vim.api.nvim_buf_get_name(args.buf)),
    })[1])
    vim.lsp.start({
      name = "icslint",
      cmd = { "icslint", "lsp" },
      root_dir = root or vim.fn.getcwd(),
    })
  end,
})
