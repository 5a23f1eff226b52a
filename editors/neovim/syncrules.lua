-- syncrules in Neovim's built-in LSP client (Neovim 0.7 or newer), without plugins.
-- Put this file on your runtimepath (e.g. ~/.config/nvim/lua/syncrules.lua) and add
--     require("syncrules").setup()
-- to init.lua; or :luafile it. `syncrules lsp` needs pip install 'syncrules[lsp]'.
local M = {}

function M.setup(opts)
  opts = opts or {}
  local cmd = opts.cmd or { "syncrules", "lsp" }
  vim.cmd([[autocmd BufRead,BufNewFile *.sync setfiletype syncrules]])
  vim.api.nvim_create_autocmd("FileType", {
    pattern = "syncrules",
    callback = function(args)
      vim.bo[args.buf].commentstring = "# %s"
      local file = vim.api.nvim_buf_get_name(args.buf)
      local id = vim.lsp.start_client({
        name = "syncrules",
        cmd = cmd,
        cmd_cwd = opts.cmd_cwd,
        cmd_env = opts.cmd_env,
        root_dir = vim.fn.fnamemodify(file, ":p:h"),
        init_options = { debounce = opts.debounce or 0.15 },
      })
      if id then
        vim.lsp.buf_attach_client(args.buf, id)
      end
    end,
  })
end

return M
