#!/bin/sh
# Bad input: each gives one error line naming the file and place, exit 1,
# and leaves no output file behind.
. "$(dirname "$0")/lib.sh"

cat > profile.yaml <<'Y'
anzen-profile: 1
institution:
  name: テスト医院
  type: clinic
systems:
  - {id: emr, name: 電子カルテ, hosting: on-prem, vendor: A社}
Y
good_answers='anzen-answers: 1
edition: cl-b
form: h
answers:
  - {item: cl-b.h.lead, answer: はい, checked: 2025-06-01}
'

check_bad() { # description expected-substring (input in bad.yaml)
    rm -f out.txt
    run "$ANZEN" $MINI status -a bad.yaml -o out.txt
    expect_rc 1 "$1"
    expect_err "$2" "$1: error names the place"
    expect_one_line_err "$1"
    [ ! -e out.txt ] && ok "$1: no output file" || not_ok "$1: out.txt written"
    ls out.txt.* >/dev/null 2>&1 && not_ok "$1: temp file left" || ok "$1: no temp file left"
}

printf 'anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n  - {item: cl-b.h.lead, answer: はい\n' > bad.yaml
check_bad "malformed YAML" "bad.yaml:6:1: YAML の構文エラー"

printf '\357\273\277%s' "$good_answers" > bom.yaml
run "$ANZEN" $MINI status -a bom.yaml
expect_rc 2 "UTF-8 BOM is accepted"

printf 'anzen-answers: 1\nedition: cl-b\nform: h\nanswers:\n  - {item: cl-b.h.lead, answer: \202\315\202\242, checked: 2025-06-01}\n' > bad.yaml
check_bad "CP932 file" "bad.yaml:5: UTF-8 ではありません (Shift_JIS/CP932 のようです)"

head -c 52428800 /dev/zero | tr '\0' '#' > bad.yaml
check_bad "50 MB file" "bad.yaml: ファイルが大きすぎます"

printf '%s  - {item: cl-b.h.nope, answer: はい, checked: 2025-06-01}\n' "$good_answers" > bad.yaml
check_bad "unknown item id" "bad.yaml:6:6: 未知の項目 ID \"cl-b.h.nope\""

printf '%s  - {item: cl-b.h.patch, answer: いいえ, checked: 2025-06-01, target: 2025-13-45}\n' "$good_answers" > bad.yaml
check_bad "invalid date" "bad.yaml:6:60: \"target\" の日付 \"2025-13-45\" が不正です"

printf '%s  - {item: cl-b.h.patch, answer: いいえ, checked: 2025-06-01}\n' "$good_answers" > bad.yaml
check_bad "no target date for いいえ" "目標日 (target) が必要です"

printf '{"anzen-answers": "1", "edition": "cl-b", "form": "h", "answers": [{"item": "cl-b.h.lead", "answer": "yes", "checked": "2025-06-01"}}' > bad.yaml
check_bad "malformed JSON" "bad.yaml:1:"

printf '{"anzen-answers":"1","edition":"cl-b","form":"h","answers":[{"item":"cl-b.h.lead","answer":"yes","checked":"2025-06-01"}]}' > ok.json
run "$ANZEN" $MINI status -a ok.json
expect_rc 2 "JSON answers load"
expect_out "全体: 1/5" "JSON answers counted"

# inapplicable item answered: the profile has no vendor
cat > p2.yaml <<'Y'
anzen-profile: 1
institution: {name: x, type: clinic}
systems:
  - {id: s, name: s, hosting: cloud}
Y
printf '%s  - {item: cl-b.h.remote, answer: はい, checked: 2025-06-01}\n' "$good_answers" > bad.yaml
run "$ANZEN" $MINI status -p p2.yaml -a bad.yaml
expect_rc 1 "answer to an inapplicable item"
expect_err "cl-b.h.remote" "inapplicable item is named"

# broken profile
printf 'anzen-profile: 1\ninstitution:\n  name: x\n  type: clinic\n  beds: many\n' > p3.yaml
run "$ANZEN" $MINI status -p p3.yaml
expect_rc 1 "bad profile"
expect_err "p3.yaml:5:3: 病床数 \"many\"" "bad profile value is named"
run "$ANZEN" $MINI status -p missing.yaml
expect_rc 1 "missing profile"
expect_err "anzen init" "missing profile hints at anzen init"

# YAML bombs and deep nesting are refused
printf 'a: &a [x, x]\nb: *a\n' > bad.yaml
check_bad "YAML alias" "エイリアス"
done_testing
