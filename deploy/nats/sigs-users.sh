#!/bin/sh
# The NATS users of a Sigs cluster and what each may do, for nats-server's `authorization` block.
#
#   sigs-users.sh OUT_DIR PARTITIONS NODE...
#
# Writes OUT_DIR/auth.conf and one OUT_DIR/<user>.password per user (made once, kept on later runs), and for each
# node OUT_DIR/nodes/<NODE>/{user,password}: copy that folder to /etc/sigs/nats/ on that node only (as you provision
# the kubelet's own credentials), where the node's Sigs reads it (credentials: userFile, passwordFile).
#   sigs-admin            everything (streams and consumers are changed by an administrator only)
#   sigs-audit            publishes audit events only, on sigs.events.<p>.audit.audit (its forward's sender: audit)
#   sigs-node-<NODE>      publishes only on sigs.events.<p>.node.<NODE>: its own events, never another node's or audit
#   sigs-correlator-<i>   consumes partition i only (durable sigs-correlator-<i>), creates SIGS_EVENTS when missing,
#                         and publishes findings (falco.>, sigs.findings.>)
# Nobody but sigs-admin may delete, purge or change a stream, or touch another correlator's consumers.
# Node names must be NATS subject tokens separated by dots (Kubernetes node names are).
set -eu
[ $# -ge 3 ] || { echo "usage: $0 OUT_DIR PARTITIONS NODE..." >&2; exit 2; }
out=$1 partitions=$2
shift 2
stream=${SIGS_STREAM:-SIGS_EVENTS}
findings=${SIGS_FINDINGS_STREAM:-SIGS_FINDINGS}
umask 077
mkdir -p "$out"

password() {
  file="$out/$1.password"
  [ -s "$file" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file"
  cat "$file"
}

user() { # name, publish list, subscribe list
  printf '    { user: "%s", password: "%s", permissions: { publish: { allow: [%s] }, subscribe: { allow: [%s] } } }\n' "$1" "$(password "$1")" "$2" "$3"
}

publisher_inbox='"_INBOX.>", "_SIGS.acks.>"'
{
  echo "authorization {"
  echo "  users: ["
  user sigs-admin '">"' '">"'
  user sigs-audit "\"sigs.events.*.audit.audit\", \"\$JS.API.STREAM.INFO.$stream\"" "$publisher_inbox"
  for node in "$@"; do
    case $node in *[!A-Za-z0-9_.-]* | .* | *. | *..*) echo "$0: node name '$node' is not NATS subject tokens" >&2; exit 2 ;; esac
    user "sigs-node-$node" "\"sigs.events.*.node.$node\", \"\$JS.API.STREAM.INFO.$stream\"" "$publisher_inbox"
    mkdir -p "$out/nodes/$node"
    printf '%s' "sigs-node-$node" > "$out/nodes/$node/user"
    cp "$out/sigs-node-$node.password" "$out/nodes/$node/password"
  done
  i=0
  while [ "$i" -lt "$partitions" ]; do
    allow="\"\$JS.API.STREAM.INFO.$stream\", \"\$JS.API.STREAM.CREATE.$stream\", \"\$JS.API.STREAM.MSG.GET.$stream\""
    for consumer in "sigs-correlator-$i-$i" "sigs-correlator-$i-$i-replay"; do
      allow="$allow, \"\$JS.API.CONSUMER.CREATE.$stream.$consumer.sigs.events.$i.>\", \"\$JS.API.CONSUMER.INFO.$stream.$consumer\""
      allow="$allow, \"\$JS.API.CONSUMER.DELETE.$stream.$consumer\", \"\$JS.API.CONSUMER.MSG.NEXT.$stream.$consumer\", \"\$JS.ACK.$stream.$consumer.>\""
    done
    allow="$allow, \"falco.>\", \"sigs.findings.>\", \"\$JS.API.STREAM.INFO.$findings\", \"\$JS.API.STREAM.CREATE.$findings\""
    user "sigs-correlator-$i" "$allow" "$publisher_inbox"
    i=$((i + 1))
  done
  echo "  ]"
  echo "}"
} > "$out/auth.conf"
echo "wrote $out/auth.conf, the users' password files, and $out/nodes/<node>/ for each node"
