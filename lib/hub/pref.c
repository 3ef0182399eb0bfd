/* SPDX-License-Identifier: MIT */
/*
 * pref.c - the 47 prefectures by JIS X 0401 code, Japanese and romanised
 * names (the hub partitions its data by this code), and the words for the
 * institution types the hub stores as codes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "anzen/hub.h"
#include "anzen/util.h"

static const struct {
    const char *ja, *en;
} prefs[47] = {
    {"北海道", "Hokkaido"},    {"青森県", "Aomori"},     {"岩手県", "Iwate"},
    {"宮城県", "Miyagi"},      {"秋田県", "Akita"},      {"山形県", "Yamagata"},
    {"福島県", "Fukushima"},   {"茨城県", "Ibaraki"},    {"栃木県", "Tochigi"},
    {"群馬県", "Gunma"},       {"埼玉県", "Saitama"},    {"千葉県", "Chiba"},
    {"東京都", "Tokyo"},       {"神奈川県", "Kanagawa"}, {"新潟県", "Niigata"},
    {"富山県", "Toyama"},      {"石川県", "Ishikawa"},   {"福井県", "Fukui"},
    {"山梨県", "Yamanashi"},   {"長野県", "Nagano"},     {"岐阜県", "Gifu"},
    {"静岡県", "Shizuoka"},    {"愛知県", "Aichi"},      {"三重県", "Mie"},
    {"滋賀県", "Shiga"},       {"京都府", "Kyoto"},      {"大阪府", "Osaka"},
    {"兵庫県", "Hyogo"},       {"奈良県", "Nara"},       {"和歌山県", "Wakayama"},
    {"鳥取県", "Tottori"},     {"島根県", "Shimane"},    {"岡山県", "Okayama"},
    {"広島県", "Hiroshima"},   {"山口県", "Yamaguchi"},  {"徳島県", "Tokushima"},
    {"香川県", "Kagawa"},      {"愛媛県", "Ehime"},      {"高知県", "Kochi"},
    {"福岡県", "Fukuoka"},     {"佐賀県", "Saga"},       {"長崎県", "Nagasaki"},
    {"熊本県", "Kumamoto"},    {"大分県", "Oita"},       {"宮崎県", "Miyazaki"},
    {"鹿児島県", "Kagoshima"}, {"沖縄県", "Okinawa"},
};

int az_pref_code(const char *s)
{
    long n;

    if (!s || !*s)
        return 0;
    if (az_parse_long(s, 1, 47, &n) == 0)
        return (int)n;
    for (int i = 0; i < 47; i++) {
        size_t l = strlen(prefs[i].ja);
        if (!strcmp(s, prefs[i].ja) || !strcasecmp(s, prefs[i].en))
            return i + 1;
        /* 東京 for 東京都, 大阪 for 大阪府 (北海道 has no suffix) */
        if (i > 0 && strlen(s) + 3 == l && !strncmp(s, prefs[i].ja, l - 3))
            return i + 1;
    }
    return 0;
}

const char *az_pref_name(int code, enum az_lang lang)
{
    if (code < 1 || code > 47)
        return lang == AZ_LANG_EN ? "all prefectures" : "全国";
    return lang == AZ_LANG_EN ? prefs[code - 1].en : prefs[code - 1].ja;
}

const char *az_hub_type_name(const char *code, enum az_lang lang)
{
    static const struct {
        const char *code, *ja;
    } t[] = {
        {"hospital", "病院"}, {"clinic", "診療所"},    {"dental", "歯科診療所"},
        {"pharmacy", "薬局"}, {"midwifery", "助産所"}, {"headquarters", "本部"},
    };

    if (!code)
        return "";
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (!strcmp(code, t[i].code))
            return lang == AZ_LANG_EN ? t[i].code : t[i].ja;
    if (!strcmp(code, "other")) /* the indicators' "all but hospitals" */
        return lang == AZ_LANG_EN ? "other institutions" : "病院以外";
    return code;
}
