/*
 * lex.c - the policy language's lexer: bytes in, tokens with line:column out.
 *
 * Modelled on SQLite's tokenize.c: one table classifies every byte, and the
 * lexer switches on the class of the first byte of a token. The language is
 * small and ASCII: words (names, keywords and values alike; the parser decides
 * by context which a word is, so a value such as "state" never collides with a
 * keyword), numbers, "strings", comparison operators and a little punctuation.
 * '#' starts a comment to the end of the line; comments may hold any byte but
 * NUL, so a lawyer can write "§ 24-74-103" in one. Everything outside
 * comments must be printable ASCII: reasons travel in ER messages, whose text
 * form allows nothing else.
 *
 * The lexer never fails: a byte or string it cannot use becomes a TK_ERROR
 * token with a sentence in tok->err, which the parser reports at its
 * line:column and then recovers from.
 */
#include "policy_int.h"

#include <string.h>

/* Character classes. */
enum {
    CC_SPACE,   /* space, tab, CR, VT, FF: skipped */
    CC_NEWLINE, /* LF: ends a line */
    CC_ALPHA,   /* A-Z a-z _ : may start and continue a word */
    CC_DIGIT,   /* 0-9: may start and continue a word; a word of digits is a number */
    CC_INWORD,  /* . - : may continue a word, never start one */
    CC_QUOTE,   /* " : starts a string */
    CC_HASH,    /* # : starts a comment */
    CC_LBRACK,  /* [ */
    CC_RBRACK,  /* ] */
    CC_LPAREN,  /* ( */
    CC_RPAREN,  /* ) */
    CC_COMMA,   /* , */
    CC_COLON,   /* : */
    CC_EQ,      /* = : '=' or '==' */
    CC_BANG,    /* ! : only in '!=' */
    CC_LT,      /* < : '<' or '<=' */
    CC_GT,      /* > : '>' or '>=' */
    CC_NUL,     /* NUL: never valid, even in a comment */
    CC_OTHER,   /* printable ASCII with no use outside strings: $ % & ' * + / ; ? @ \ ^ ` { | } ~ */
    CC_CTRL,    /* other control bytes and DEL */
    CC_HIGH,    /* 0x80-0xff: only in comments */
};

/* One class per byte. Each row is eight bytes; the comment before it names them. */
// clang-format off
static const unsigned char cclass[256] = {
    /* 00: NUL  ^A  ^B  ^C  ^D  ^E  ^F  ^G */
    CC_NUL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL,
    /* 08: ^H  TAB  LF  VT  FF  CR  ^N  ^O */
    CC_CTRL, CC_SPACE, CC_NEWLINE, CC_SPACE, CC_SPACE, CC_SPACE, CC_CTRL, CC_CTRL,
    /* 10: ^P  ^Q  ^R  ^S  ^T  ^U  ^V  ^W */
    CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL,
    /* 18: ^X  ^Y  ^Z  ^[  ^\  ^]  ^^  ^_ */
    CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL, CC_CTRL,
    /* 20: SP  '!'  '"'  '#'  '$'  '%'  '&'  ''' */
    CC_SPACE, CC_BANG, CC_QUOTE, CC_HASH, CC_OTHER, CC_OTHER, CC_OTHER, CC_OTHER,
    /* 28: '('  ')'  '*'  '+'  ','  '-'  '.'  '/' */
    CC_LPAREN, CC_RPAREN, CC_OTHER, CC_OTHER, CC_COMMA, CC_INWORD, CC_INWORD, CC_OTHER,
    /* 30: '0'  '1'  '2'  '3'  '4'  '5'  '6'  '7' */
    CC_DIGIT, CC_DIGIT, CC_DIGIT, CC_DIGIT, CC_DIGIT, CC_DIGIT, CC_DIGIT, CC_DIGIT,
    /* 38: '8'  '9'  ':'  ';'  '<'  '='  '>'  '?' */
    CC_DIGIT, CC_DIGIT, CC_COLON, CC_OTHER, CC_LT, CC_EQ, CC_GT, CC_OTHER,
    /* 40: '@'  'A'  'B'  'C'  'D'  'E'  'F'  'G' */
    CC_OTHER, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA,
    /* 48: 'H'  'I'  'J'  'K'  'L'  'M'  'N'  'O' */
    CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA,
    /* 50: 'P'  'Q'  'R'  'S'  'T'  'U'  'V'  'W' */
    CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA,
    /* 58: 'X'  'Y'  'Z'  '['  '\\'  ']'  '^'  '_' */
    CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_LBRACK, CC_OTHER, CC_RBRACK, CC_OTHER, CC_ALPHA,
    /* 60: '`'  'a'  'b'  'c'  'd'  'e'  'f'  'g' */
    CC_OTHER, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA,
    /* 68: 'h'  'i'  'j'  'k'  'l'  'm'  'n'  'o' */
    CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA,
    /* 70: 'p'  'q'  'r'  's'  't'  'u'  'v'  'w' */
    CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_ALPHA,
    /* 78: 'x'  'y'  'z'  '{'  '|'  '}'  '~'  DEL */
    CC_ALPHA, CC_ALPHA, CC_ALPHA, CC_OTHER, CC_OTHER, CC_OTHER, CC_OTHER, CC_CTRL,
    /* 0x80-0xff: bytes of UTF-8 sequences (or of nothing), allowed in comments only */
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
    CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH, CC_HIGH,
};
// clang-format on

_Static_assert(sizeof(cclass) == 256, "one class per byte");

void dg__lex_init(struct dg__lexer *lx, const char *src, size_t len)
{
    lx->src = src;
    lx->len = len;
    lx->pos = 0;
    lx->line = 1;
    lx->line_start = 0;
    lx->at_bol = true;
}

static int cls(const struct dg__lexer *lx, size_t i)
{
    return i < lx->len ? cclass[(unsigned char)lx->src[i]] : CC_NEWLINE;
}

/* Skip spaces, comments and line ends; stop at a token's first byte. */
static void skip_blank(struct dg__lexer *lx)
{
    while (lx->pos < lx->len) {
        switch (cclass[(unsigned char)lx->src[lx->pos]]) {
        case CC_SPACE: lx->pos++; break;
        case CC_NEWLINE:
            lx->pos++;
            lx->line++;
            lx->line_start = lx->pos;
            lx->at_bol = true;
            break;
        case CC_HASH:
            /* A comment runs to the end of the line; a NUL in it is still an
             * error (it would cut the text short for C string functions). */
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n' && lx->src[lx->pos] != '\0')
                lx->pos++;
            if (lx->pos < lx->len && lx->src[lx->pos] == '\0')
                return;
            break;
        default: return;
        }
    }
}

static void finish(struct dg__lexer *lx, struct dg__tok *t, enum tok_type type, size_t start,
                   size_t end)
{
    t->type = type;
    t->off = (uint32_t)start;
    t->len = (uint32_t)(end - start);
    lx->pos = end;
}

void dg__lex_next(struct dg__lexer *lx, struct dg__tok *t)
{
    skip_blank(lx);
    size_t s = lx->pos;
    t->line = lx->line;
    t->col = (int)(s - lx->line_start) + 1;
    t->bol = lx->at_bol;
    t->err = NULL;
    lx->at_bol = false;
    if (s >= lx->len) {
        finish(lx, t, TK_EOF, s, s);
        return;
    }
    size_t i = s + 1;
    switch (cclass[(unsigned char)lx->src[s]]) {
    case CC_ALPHA:
    case CC_DIGIT: {
        bool digits = cls(lx, s) == CC_DIGIT;
        for (;; i++) {
            int c = cls(lx, i);
            if (c != CC_ALPHA && c != CC_DIGIT && c != CC_INWORD)
                break;
            digits = digits && c == CC_DIGIT;
        }
        finish(lx, t, digits ? TK_NUMBER : TK_WORD, s, i);
        return;
    }
    case CC_QUOTE:
        /* "..." on one line; \" and \\ are the only escapes. */
        for (;; i++) {
            if (i >= lx->len || lx->src[i] == '\n') {
                t->err = "string is not closed before the end of the line";
                finish(lx, t, TK_ERROR, s, i);
                return;
            }
            unsigned char ch = (unsigned char)lx->src[i];
            if (ch == '"')
                break;
            if (ch == '\\') {
                if (i + 1 < lx->len && (lx->src[i + 1] == '"' || lx->src[i + 1] == '\\')) {
                    i++;
                    continue;
                }
                t->err = "unknown escape in string: only \\\" and \\\\ are allowed";
                finish(lx, t, TK_ERROR, s, i + 1);
                return;
            }
            if (ch < 0x20 || ch >= 0x7f) {
                t->err = "strings hold printable ASCII only";
                finish(lx, t, TK_ERROR, s, i + 1);
                return;
            }
        }
        finish(lx, t, TK_STRING, s, i + 1);
        return;
    case CC_LBRACK: finish(lx, t, TK_LBRACK, s, i); return;
    case CC_RBRACK: finish(lx, t, TK_RBRACK, s, i); return;
    case CC_LPAREN: finish(lx, t, TK_LPAREN, s, i); return;
    case CC_RPAREN: finish(lx, t, TK_RPAREN, s, i); return;
    case CC_COMMA: finish(lx, t, TK_COMMA, s, i); return;
    case CC_COLON: finish(lx, t, TK_COLON, s, i); return;
    case CC_EQ:
        if (cls(lx, i) == CC_EQ)
            finish(lx, t, TK_EQ, s, i + 1);
        else
            finish(lx, t, TK_ASSIGN, s, i);
        return;
    case CC_BANG:
        if (cls(lx, i) == CC_EQ) {
            finish(lx, t, TK_NE, s, i + 1);
            return;
        }
        t->err = "'!' must be followed by '=' (to negate a test, write 'not')";
        finish(lx, t, TK_ERROR, s, i);
        return;
    case CC_LT:
        finish(lx, t, cls(lx, i) == CC_EQ ? TK_LE : TK_LT, s, cls(lx, i) == CC_EQ ? i + 1 : i);
        return;
    case CC_GT:
        finish(lx, t, cls(lx, i) == CC_EQ ? TK_GE : TK_GT, s, cls(lx, i) == CC_EQ ? i + 1 : i);
        return;
    case CC_INWORD: t->err = "a name cannot start with '.' or '-'"; break;
    case CC_NUL: t->err = "NUL byte in policy text"; break;
    case CC_HIGH: t->err = "non-ASCII byte outside a comment"; break;
    case CC_CTRL: t->err = "control character in policy text"; break;
    default: t->err = "unexpected character"; break;
    }
    finish(lx, t, TK_ERROR, s, i);
}

const char *dg__tok_name(enum tok_type t)
{
    switch (t) {
    case TK_EOF: return "the end of the policy";
    case TK_WORD: return "a name";
    case TK_NUMBER: return "a number";
    case TK_STRING: return "a string";
    case TK_LBRACK: return "'['";
    case TK_RBRACK: return "']'";
    case TK_LPAREN: return "'('";
    case TK_RPAREN: return "')'";
    case TK_COMMA: return "','";
    case TK_COLON: return "':'";
    case TK_ASSIGN: return "'='";
    case TK_EQ: return "'=='";
    case TK_NE: return "'!='";
    case TK_LT: return "'<'";
    case TK_LE: return "'<='";
    case TK_GT: return "'>'";
    case TK_GE: return "'>='";
    case TK_ERROR: return "a bad character";
    }
    return "?";
}
