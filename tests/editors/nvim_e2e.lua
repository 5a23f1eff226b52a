-- Driven by tests/editors/test_neovim.py: Neovim's own LSP client opens a rule file through
-- editors/neovim/syncrules.lua, waits for diagnostics, asks for a hover, writes JSON.
local root = vim.env.SYNCRULES_ROOT
package.path = root .. "/editors/neovim/?.lua;" .. package.path
require("syncrules").setup({
  cmd = { vim.env.SYNCRULES_PYTHON, "-m", "engine", "lsp" },
  cmd_cwd = root,
  cmd_env = { PYTHONPATH = root },
  debounce = 0.02,
})
vim.cmd("edit " .. vim.fn.fnameescape(vim.env.SYNCRULES_FILE))
local buf = vim.api.nvim_get_current_buf()
local result = { filetype = vim.bo[buf].filetype }
result.attached = vim.wait(30000, function() return #vim.lsp.buf_get_clients(buf) > 0 end, 50)
result.published = vim.wait(60000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
result.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.user_data and d.user_data.lsp and d.user_data.lsp.code or d.code
  table.insert(result.diagnostics, {
    lnum = d.lnum, col = d.col, end_col = d.end_col, severity = d.severity,
    message = d.message, code = code, source = d.source,
  })
end
local line, character = tonumber(vim.env.SYNCRULES_LINE), tonumber(vim.env.SYNCRULES_CHAR)
local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }
local answers = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 30000) or {}
for _, answer in pairs(answers) do
  if answer.result and answer.result.contents then
    result.hover = answer.result.contents.value or answer.result.contents
  end
  if answer.err then result.hover_error = answer.err.message end
end
local out = io.open(vim.env.SYNCRULES_OUT, "w")
out:write(vim.fn.json_encode(result))
out:close()
for _, client in pairs(vim.lsp.get_active_clients()) do client.stop() end
vim.wait(5000, function() return #vim.lsp.get_active_clients() == 0 end, 50)
vim.cmd("qa!")
