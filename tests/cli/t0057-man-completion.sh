#!/bin/sh
# Manual pages and shell completion made from the command table and each
# command's --help: a page per command in Japanese and English that groff
# renders without a warning and that says what --help says; bash and zsh
# scripts whose candidates come from the binary (anzen __complete).
. "$(dirname "$0")/lib.sh"

# every command of `anzen --help` has a page (help itself excepted)
"$ANZEN" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' | grep -vx help | sort >cmds
"$ANZEN" help --man --list | sort >pages
[ -s cmds ] && cmp -s cmds pages && ok "a page for every command in the table" ||
    { not_ok "pages differ from the command table"; diff cmds pages | sed 's/^/#   /'; }

badp=""
for lang in ja en; do
    for cmd in "" $(cat pages); do
        name=anzen${cmd:+-$cmd}
        "$ANZEN" --lang $lang help --man $cmd >"$name.$lang.1" || badp="$badp $name.$lang(rc)"
        MANWIDTH=200 man --warnings -l "$name.$lang.1" >"$name.$lang.txt" 2>"$name.$lang.err" </dev/null
        [ -s "$name.$lang.txt" ] || badp="$badp $name.$lang(empty)"
        [ -s "$name.$lang.err" ] && badp="$badp $name.$lang(groff:$(head -1 "$name.$lang.err"))"
        head -1 "$name.$lang.1" | grep -q 'coding: UTF-8' || badp="$badp $name.$lang(coding)"
        # what --help says is on the page, line for line (spaces aside)
        if [ -n "$cmd" ]; then
            "$ANZEN" --lang $lang "$cmd" --help >"$name.$lang.help"
            echo "$name.$lang" >>pairs
        fi
    done
done
python3 - <<'PY' || badp="$badp (text)"
import sys
norm = lambda s: " ".join(s.replace("\u2010", "-").replace("\u2212", "-").split())
bad = 0
for name in open("pairs").read().split():
    page = norm(open(name + ".txt", encoding="utf-8").read())
    for line in open(name + ".help", encoding="utf-8"):
        if norm(line) and norm(line) not in page:
            print("# %s: missing: %s" % (name, line.rstrip()))
            bad = 1
            break
sys.exit(bad)
PY
# no help (so no page) sends the reader to a C header
for cmd in $(cat pages); do
    for lang in ja en; do
        "$ANZEN" --lang $lang "$cmd" --help 2>&1 | grep -q 'include/\|\.h)' && badp="$badp $cmd.$lang(C header)"
    done
done
"$ANZEN" vendor add --help 2>&1 | grep -q 'include/\|\.h)' && badp="$badp vendor-add(C header)"
[ -z "$badp" ] && ok "every page renders without groff warnings and holds its --help; no help points to a C header" ||
    not_ok "pages:$badp"
grep -q '^\.SH NAME' anzen-ledger.en.1 && grep -q '^anzen\\-ledger \\- the asset ledger' anzen-ledger.en.1 &&
    ok "NAME line for whatis (anzen\\-ledger \\- ...)" || not_ok "bad NAME section"
grep -q '^\.SH 名前' anzen-plan.ja.1 && ok "Japanese page has Japanese headings" || not_ok "ja headings"
grep -q '\\-\\-format' anzen-report.en.1 && ! grep -q ' --format' anzen-report.en.1 &&
    ok "hyphens escaped as \\-" || not_ok "unescaped hyphens"
grep -q 'anzen\\-ledger (1)' anzen.en.1 && ok "anzen(1) refers to the command pages" || not_ok "no SEE ALSO"
SOURCE_DATE_EPOCH=1700000000 "$ANZEN" help --man status | grep -q '"2023-11-14"' &&
    ok "page date from SOURCE_DATE_EPOCH (reproducible)" || not_ok "SOURCE_DATE_EPOCH ignored"
run "$ANZEN" help --man nosuch
expect_rc 64 "no page for an unknown command"

# completion scripts
run "$ANZEN" completion bash
expect_rc 0 "completion bash"
cp "$T/out" anzen.bash
bash -n anzen.bash && ok "bash script parses" || not_ok "bash -n failed"
missing=""
for c in $(cat cmds); do grep -qw -- "$c" anzen.bash || missing="$missing $c"; done
[ -z "$missing" ] && ok "bash script lists every command" || not_ok "bash script lacks:$missing"
run "$ANZEN" completion zsh
cp "$T/out" _anzen
if command -v zsh >/dev/null; then
    zsh -n _anzen && ok "zsh script parses" || not_ok "zsh -n failed"
else
    ok "# SKIP zsh not installed"
fi
head -1 _anzen | grep -qx '#compdef anzen' && ok "zsh script is an autoload #compdef file" || not_ok "no #compdef"
run "$ANZEN" completion fish
expect_rc 64 "unknown shell"

"$ANZEN" demo -o d >/dev/null
mkdir bin
ln -s "$ANZEN" bin/anzen
# complete NAME WORD... : COMPREPLY of bash for the words (the last is the one completed)
complete_bash() {
    (cd d && PATH="$T/bin:$PATH" bash -c '
        . ../anzen.bash
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _anzen
        [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' anzen "$@") >reply 2>reply.err
}
check_reply() { # description, words...
    d=$1
    shift
    want=$1
    shift
    complete_bash "$@"
    for w in $want; do
        grep -qx -- "$w" reply || { not_ok "$d: [$want] not in [$(tr '\n' ' ' <reply)]"; return; }
    done
    ok "$d"
}
check_reply "commands" "ledger init completion" anzen ""
check_reply "command by prefix" "ledger" anzen le
check_reply "subcommands from the help" "import list check export" anzen ledger ""
check_reply "options from the help" "--dry-run --skip-bad-rows" anzen ledger import --
check_reply "formats" "html xlsx json md" anzen report --format ""
check_reply "roles" "management planning operations" anzen report --role ""
check_reply "plan statuses" "open in-progress done verified" anzen plan set 2-⑥ --status ""
check_reply "owner roles" "operations:" anzen plan set 2-⑥ --owner op
check_reply "item labels from the catalog" "2-⑥ cl-r7.h.asset-ledger" anzen plan set ""
check_reply "item IDs by prefix" "cl-r7.h.asset-ledger" anzen catalog show cl-r7.h.as
check_reply "system IDs from the workspace" "emr" anzen assess --vendor ""
check_reply "system IDs with -C" "emr" anzen -C . vendor pack --system ""
check_reply "editions" "cl-r6 cl-r7" anzen catalog diff ""
check_reply "global option values" "ja en" anzen --lang ""
check_reply "workspace backup" "backup" anzen workspace b
complete_bash anzen report -o ""
[ ! -s reply ] && ok "a file argument is left to the shell" || not_ok "candidates for -o: $(tr '\n' ' ' <reply)"
(cd d && rm profile.yaml && PATH="$T/bin:$PATH" bash -c '. ../anzen.bash; COMP_WORDS=(anzen assess --vendor ""); COMP_CWORD=3; _anzen; echo "n=${#COMPREPLY[@]}"') >reply 2>&1
grep -qx 'n=0' reply && ok "no profile: no systems, no error" || not_ok "without a profile: $(cat reply)"

# The subcommands the command table checks before a command runs (with
# "did you mean") are the ones the completion reads from the help: a
# subcommand added to one and not the other would be refused, or never
# offered. ("CMD zz --help": a checked command stops at zz, the others
# only print their help.)
gated=0
badsub=""
for cmd in $(cat cmds); do
    timeout 20 "$ANZEN" --lang en "$cmd" zz-not-a-subcommand --help >/dev/null 2>gate.err </dev/null ||
        true
    grep -q "unknown $cmd subcommand" gate.err || continue
    gated=$((gated + 1))
    sed -n 's/^subcommands: \(.*\) (see anzen help.*/\1/p' gate.err | sed 's| / |\n|g' | sort >gate.subs
    { "$ANZEN" __complete 2 anzen "$cmd" "" || true; } | { grep -v '^-' || true; } | sort >comp.subs
    [ -s gate.subs ] && cmp -s gate.subs comp.subs ||
        badsub="$badsub $cmd(table: $(tr '\n' ' ' <gate.subs)/ help: $(tr '\n' ' ' <comp.subs))"
done
[ "$gated" -ge 6 ] && [ -z "$badsub" ] &&
    ok "the command table's subcommands are the completion's ($gated commands)" ||
    not_ok "subcommands differ ($gated checked):$badsub"

run "$ANZEN" __complete
expect_rc 64 "__complete without words"
run "$ANZEN" __complete 9 anzen
expect_rc 64 "__complete with a word index out of range"

done_testing
