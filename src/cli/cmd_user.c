/* SPDX-License-Identifier: MIT */
/*
 * cmd_user.c - `anzen user list|add|reset-password|unlock|reset-mfa|
 * disable|enable`: account recovery for the web UI from the machine that
 * holds the workspace. Whoever can run this on anzen.db owns the files
 * (and could edit them anyway); every change is written to the change
 * log with "cli:$USER" as who.
 *
 * New passwords come from the terminal without echo, from standard input
 * (--password-stdin, one line), or are made up and printed once
 * (--temporary).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "anzen/auth.h"
#include "anzen/store.h"
#include "cli.h"

static void help(struct cli *c, FILE *f)
{
    fputs(
        L(c,
          "使い方: anzen user <操作> [名前] [オプション]\n"
          "  list [--format text|json]      利用者の一覧 (二要素認証、停止、ログイン制限)\n"
          "  add 名前 --role 役割 [--display 表示名] [--admin] [--vendor 事業者]\n"
          "  reset-password 名前             新しいパスワード (ログイン中のセッションは終了)\n"
          "  unlock 名前                     ログイン制限を解除する\n"
          "  reset-mfa 名前                  二要素認証を解除する (次のログインで登録し直す)\n"
          "  disable 名前 / enable 名前      利用を停止する / 再開する\n"
          "オプション:\n"
          "  -w, --workspace DB    ワークスペース (既定: anzen.db)\n"
          "  --password-stdin      パスワードを標準入力の 1 行から読む (既定は端末から、表示なし)\n"
          "  --temporary           一時パスワードを作って 1 度だけ表示する\n"
          "役割: management planning operations viewer vendor\n",
          "usage: anzen user <action> [name] [options]\n"
          "  list [--format text|json]      the users (2FA, disabled, sign-in throttling)\n"
          "  add NAME --role ROLE [--display NAME] [--admin] [--vendor VENDOR]\n"
          "  reset-password NAME            set a new password (ends the user's sessions)\n"
          "  unlock NAME                    lift sign-in throttling\n"
          "  reset-mfa NAME                 turn two-factor off (enrol again at sign-in)\n"
          "  disable NAME / enable NAME     stop / allow signing in\n"
          "options:\n"
          "  -w, --workspace DB    the workspace (default anzen.db)\n"
          "  --password-stdin      read the password from one line of standard input\n"
          "                        (default: from the terminal, not echoed)\n"
          "  --temporary           make up a temporary password and print it once\n"
          "roles: management planning operations viewer vendor\n"),
        f);
}

/* "cli:$USER" for the change log. */
static void who_of(char *out, size_t n)
{
    snprintf(out, n, "cli:%s", cli_who());
}

/* Read a line from fd into a heap string (without the newline). */
static char *read_line_fd(FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);

    if (n < 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

/* Ask on the terminal with echo off. */
static char *ask_hidden(struct cli *c, const char *prompt)
{
    struct termios old, quiet;
    FILE *tty = fopen("/dev/tty", "r+");
    char *pw;

    if (!tty)
        return NULL;
    fputs(prompt, tty);
    fflush(tty);
    if (tcgetattr(fileno(tty), &old) != 0) {
        fclose(tty);
        return NULL;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    pw = read_line_fd(tty);
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    (void)c;
    return pw;
}

static void wipe_free(char *s)
{
    if (s)
        sodium_memzero(s, strlen(s));
    free(s);
}

/* The new password by the chosen way; NULL after printing the error. */
static char *new_password(struct cli *c, const char *name, bool from_stdin, bool temporary,
                          bool *ret_temp)
{
    char *pw = NULL, *pw2;

    *ret_temp = false;
    if (temporary) {
        char tok[48];
        if (az_random_token(tok, sizeof(tok), 15) < 0) {
            cli_err(c, "乱数を作れません", "cannot make random bytes");
            return NULL;
        }
        *ret_temp = true;
        return strdup(tok);
    }
    if (from_stdin) {
        pw = read_line_fd(stdin);
        if (!pw) {
            cli_err(c, "標準入力にパスワードがありません", "no password on standard input");
            return NULL;
        }
    } else {
        if (!isatty(STDIN_FILENO) && access("/dev/tty", R_OK) != 0) {
            cli_err(c, "端末がありません (--password-stdin か --temporary を使ってください)",
                    "no terminal (use --password-stdin or --temporary)");
            return NULL;
        }
        pw = ask_hidden(c, L(c, "新しいパスワード: ", "New password: "));
        pw2 = pw ? ask_hidden(c, L(c, "もう一度: ", "Again: ")) : NULL;
        if (!pw || !pw2 || strcmp(pw, pw2) != 0) {
            cli_err(c, "2 つのパスワードが一致しません", "the two passwords differ");
            wipe_free(pw);
            wipe_free(pw2);
            return NULL;
        }
        wipe_free(pw2);
    }
    if (strlen(pw) > AZ_PASSWORD_MAX || az_password_policy(&c->ctx, pw, name) < 0) {
        if (strlen(pw) > AZ_PASSWORD_MAX)
            cli_err(c, "パスワードが長すぎます", "the password is too long");
        else
            cli_liberr(c);
        wipe_free(pw);
        return NULL;
    }
    return pw;
}

static void print_temporary(struct cli *c, const char *name, const char *pw)
{
    printf(L(c,
             "%s の一時パスワード: %s\n"
             "(この表示は 1 度だけです。本人に直接伝えてください。次のログインで変更を求めます)\n",
             "temporary password of %s: %s\n"
             "(shown only this once: give it to the person directly; it must be changed at the "
             "next sign-in)\n"),
           name, pw);
}

static int do_list(struct cli *c, struct az_store *st, const char *format)
{
    json_t *users = NULL, *locks = NULL, *x;
    long long now = (long long)time(NULL);
    size_t i;

    if (az_store_users(st, &c->ctx, &users) < 0 ||
        az_store_throttle_list(st, &c->ctx, now, &locks) < 0) {
        json_decref(users);
        cli_liberr(c);
        return EXIT_ERROR;
    }
    json_array_foreach(users, i, x)
    {
        const char *name = json_string_value(json_object_get(x, "name"));
        bool locked = false;
        size_t k;
        json_t *l;
        json_array_foreach(locks, k, l)
        {
            const char *key = json_string_value(json_object_get(l, "key"));
            size_t n = strlen(name);
            if ((!strncmp(key, "acct:", 5) && !strcasecmp(key + 5, name)) ||
                (!strncmp(key, "ua:", 3) && !strncasecmp(key + 3, name, n) && key[3 + n] == '|'))
                locked = true;
        }
        json_object_set_new(x, "locked", json_boolean(locked));
        json_object_del(x, "id");
    }
    json_decref(locks);
    if (format && !strcmp(format, "json")) {
        int r = out_json(c, NULL, users);
        return r ? EXIT_ERROR : 0;
    }
    json_array_foreach(users, i, x)
    {
        int role = az_user_role_parse(json_string_value(json_object_get(x, "role")));
        out_pad(stdout, json_string_value(json_object_get(x, "name")), 20);
        fputs(" ", stdout);
        out_pad(stdout,
                az_user_role_name(role < 0 ? AZ_UR_VIEWER : (enum az_user_role)role, c->lang), 18);
        printf("%s%s%s%s\n",
               json_is_true(json_object_get(x, "admin")) ? L(c, " 管理者", " admin") : "",
               json_is_true(json_object_get(x, "mfa")) ? L(c, " 二要素認証", " 2FA")
                                                       : L(c, " 二要素認証なし", " no-2FA"),
               json_is_true(json_object_get(x, "disabled")) ? L(c, " 停止中", " disabled") : "",
               json_is_true(json_object_get(x, "locked")) ? L(c, " ログイン制限中", " throttled")
                                                          : "");
    }
    if (json_array_size(users) == 0)
        printf("%s\n", L(c, "(利用者はいません)", "(no users)"));
    json_decref(users);
    return 0;
}

int cmd_user(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"workspace", required_argument, NULL, 'w'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"display", required_argument, NULL, 'd'},
                                         {"vendor", required_argument, NULL, 'V'},
                                         {"admin", no_argument, NULL, 'a'},
                                         {"password-stdin", no_argument, NULL, 'S'},
                                         {"temporary", no_argument, NULL, 'T'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *db = "anzen.db", *format = "text", *role = NULL, *display = NULL, *vendor = NULL,
               *sub, *name = NULL;
    bool admin = false, from_stdin = false, temporary = false, temp = false;
    struct az_store *st = NULL;
    struct az_user u;
    char who[AZ_USER_NAME_MAX + 80], object[AZ_USER_NAME_MAX + 8];
    int o, r = EXIT_ERROR;

    if (argc < 2) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        help(c, stdout);
        return 0;
    }
    optind = 0;
    opterr = 0;
    while ((o = getopt_long(argc - 1, argv + 1, "w:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'w':
            db = optarg;
            break;
        case 'f':
            format = optarg;
            if (!cli_format_ok(c, format, false))
                return EXIT_USAGE;
            break;
        case 'r':
            role = optarg;
            break;
        case 'd':
            display = optarg;
            break;
        case 'V':
            vendor = optarg;
            break;
        case 'a':
            admin = true;
            break;
        case 'S':
            from_stdin = true;
            break;
        case 'T':
            temporary = true;
            break;
        case 'h':
            help(c, stdout);
            return 0;
        default:
            help(c, stderr);
            return EXIT_USAGE;
        }
    }
    argc -= optind + 1;
    argv += optind + 1;
    if (strcmp(sub, "list") != 0) {
        if (argc != 1) {
            help(c, stderr);
            return EXIT_USAGE;
        }
        name = argv[0];
    } else if (argc != 0) {
        help(c, stderr);
        return EXIT_USAGE;
    }
    if (from_stdin && temporary) {
        cli_err(c, "--password-stdin と --temporary は同時に使えません",
                "--password-stdin and --temporary cannot be used together");
        return EXIT_USAGE;
    }
    if (strcmp(sub, "list") && strcmp(sub, "add") && strcmp(sub, "reset-password") &&
        strcmp(sub, "unlock") && strcmp(sub, "reset-mfa") && strcmp(sub, "disable") &&
        strcmp(sub, "enable")) {
        cli_err(c, "知らない操作です: %s", "unknown action: %s", sub);
        help(c, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(sub, "add") && (!role || az_user_role_parse(role) < 0)) {
        cli_err(c, "--role に役割を指定してください (management planning operations viewer vendor)",
                "give --role (management planning operations viewer vendor)");
        return EXIT_USAGE;
    }
    if (name && !az_user_name_valid(name)) {
        cli_err(c, "ユーザー名 \"%s\" は使えません (英数字と . _ - @、%d 文字まで)",
                "invalid user name \"%s\" (letters, digits, . _ - @; at most %d)", name,
                AZ_USER_NAME_MAX);
        return EXIT_USAGE;
    }
    if (sodium_init() < 0) {
        cli_err(c, "libsodium を初期化できません", "cannot initialise libsodium");
        return EXIT_ERROR;
    }
    if (strcmp(sub, "add") != 0 && access(db, F_OK) != 0) {
        cli_err(c, "%s: ワークスペースがありません", "%s: no such workspace", db);
        return EXIT_ERROR;
    }
    if (cli_open_store(c, db, &st))
        return EXIT_ERROR;
    who_of(who, sizeof(who));
    if (!strcmp(sub, "list")) {
        r = do_list(c, st, format);
        goto out;
    }
    snprintf(object, sizeof(object), "user:%s", name);
    if (!strcmp(sub, "add")) {
        char *pw;
        int rl = az_user_role_parse(role);
        if (az_user_texts_check(&c->ctx, display, vendor) < 0) {
            cli_liberr(c);
            goto out;
        }
        memset(&u, 0, sizeof(u));
        snprintf(u.name, sizeof(u.name), "%s", name);
        snprintf(u.display, sizeof(u.display), "%s", display ? display : name);
        u.role = (enum az_user_role)rl;
        u.admin = admin;
        snprintf(u.vendor, sizeof(u.vendor), "%s", vendor ? vendor : "");
        if (!(pw = new_password(c, name, from_stdin, temporary, &temp)))
            goto out;
        u.must_change = temp; /* a made-up password is changed at the first sign-in */
        if (az_password_hash(&c->ctx, pw, u.password) < 0 ||
            az_store_user_add(st, &c->ctx, &u, who, NULL) < 0) {
            wipe_free(pw);
            cli_liberr(c);
            goto out;
        }
        if (temp)
            print_temporary(c, name, pw);
        else
            printf(L(c, "%s を追加しました\n", "added %s\n"), name);
        wipe_free(pw);
        r = 0;
        goto out;
    }
    if (az_store_user_get(st, &c->ctx, name, &u) < 0) {
        cli_err(c, "%s: 利用者がいません", "%s: no such user", name);
        goto out;
    }
    if (!strcmp(sub, "reset-password")) {
        char *pw = new_password(c, u.name, from_stdin, temporary, &temp);
        if (!pw)
            goto out;
        /* a temporary password is changed at the next sign-in (the web UI
         * asks for a new one before anything else) */
        u.must_change = temp;
        if (az_password_hash(&c->ctx, pw, u.password) < 0 ||
            az_store_user_update(st, &c->ctx, &u, "password-reset", who) < 0 ||
            az_store_session_delete_user(st, &c->ctx, u.id) < 0 ||
            az_store_throttle_unlock_user(st, &c->ctx, u.name, NULL) < 0) {
            wipe_free(pw);
            cli_liberr(c);
            goto out;
        }
        if (temp)
            print_temporary(c, u.name, pw);
        else
            printf(L(c, "%s のパスワードを再設定しました (ログイン中のセッションは終了しました)\n",
                     "reset the password of %s (its sessions have been ended)\n"),
                   u.name);
        wipe_free(pw);
        r = 0;
    } else if (!strcmp(sub, "unlock")) {
        int n = 0;
        if (az_store_throttle_unlock_user(st, &c->ctx, u.name, &n) < 0 ||
            az_store_audit(st, &c->ctx, who, "unlock", object, "{\"by\":\"cli\"}") < 0) {
            cli_liberr(c);
            goto out;
        }
        printf(L(c, "%s のログイン制限を解除しました (%d 件)\n",
                 "lifted sign-in throttling of %s (%d entries)\n"),
               u.name, n);
        r = 0;
    } else if (!strcmp(sub, "reset-mfa")) {
        u.totp[0] = u.totp_pending[0] = '\0';
        if (az_store_user_update(st, &c->ctx, &u, "mfa-reset", who) < 0 ||
            az_store_recovery_set(st, &c->ctx, u.id, NULL, 0, who) < 0 ||
            az_store_session_delete_user(st, &c->ctx, u.id) < 0) {
            cli_liberr(c);
            goto out;
        }
        printf(L(c, "%s の二要素認証を解除しました。次のログインで登録し直します\n",
                 "turned two-factor off for %s; it is enrolled again at the next sign-in\n"),
               u.name);
        r = 0;
    } else {
        u.disabled = !strcmp(sub, "disable");
        if (az_store_user_update(st, &c->ctx, &u, sub, who) < 0 ||
            (u.disabled && az_store_session_delete_user(st, &c->ctx, u.id) < 0)) {
            cli_liberr(c);
            goto out;
        }
        printf(u.disabled ? L(c, "%s の利用を停止しました\n", "disabled %s\n")
                          : L(c, "%s の利用を再開しました\n", "enabled %s\n"),
               u.name);
        r = 0;
    }
out:
    az_store_close(st);
    return r;
}
