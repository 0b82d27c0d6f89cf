# SPDX-License-Identifier: LGPL-2.1-or-later
# The test tree: files of several sizes, a subdirectory, symlinks leading out
# of the root (never served or listed) and one leading inside.
mkfile readme.txt 100
mkfile pub/big.bin 5000000
mkfile pub/sub/deep.bin 70000
mkfile pub/sub/empty 0
mkfile "pub/with space.txt" 1000
ln -s /etc/passwd "$ROOT/pub/evil"
ln -s /etc "$ROOT/pub/evil-dir"
ln -s ../readme.txt "$ROOT/pub/inside-link"
