# Here-documents, redirections and fd juggling (no files: /dev/null and
# pipes only), read. Compared with the host by tests/qemu/busybox_sh.sh.
name=wisp
cat <<EOT
plain $name $((2 + 3)) $(echo sub)
EOT
cat <<'EOT'
quoted $name $(echo no)
EOT
cat <<-EOT
	tabs stripped $name
	EOT
cat <<A; cat <<B
first
A
second
B
while read -r l r; do echo "left=$l right=$r"; done <<EOT
a b c
d e
EOT
echo to-stderr >&2 2>/dev/null
{ echo out; echo err >&2; } 2>&1 | sort
{ echo out; echo err >&2; } 2>/dev/null
{ echo out; echo err >&2; } 3>&1 1>/dev/null 2>&3 | sed 's/^/via3: /'
echo closed >&- 2>/dev/null; echo "write to closed fd status $?"
exec 4>&1
echo "fd 4" >&4
exec 4>&-
read -r first <<EOT
only the first line
second
EOT
echo "read: $first"
IFS=, read -r x y z <<EOT
1,2,3,4
EOT
echo "x=$x y=$y z=$z"
printf 'a\nb\nc\n' | { read -r one; read -r two; echo "$two$one"; }
cat < /dev/null; echo "empty input $?"
echo "$(cat <<EOT
in subst
EOT
)"
