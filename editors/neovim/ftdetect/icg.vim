" icslint for Neovim: .icg files are ICG (filetype `icg`). Neovim 0.7 or
" later; see after/ftplugin/icg.lua and the README, "In an editor".
autocmd BufRead,BufNewFile *.icg setfiletype icg
