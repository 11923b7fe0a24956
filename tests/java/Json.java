// The small JSON reader the test programs share (no library beyond the JDK).
import java.util.*;

/**
 * A small JSON reader: objects become LinkedHashMaps, arrays Lists, strings Strings, numbers their text,
 * true/false Booleans. It skips // and block comments and accepts trailing commas, as hand-edited Jaggery
 * JSON files (site.json) have them.
 */
final class Json {
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        Json reader = new Json(text);
        Object value = reader.value();
        reader.space();
        if (reader.i != text.length()) {
            throw reader.error("text after the value");
        }
        return value;
    }

    private Object value() {
        space();
        if (i >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(i);
        if (c == '{') {
            return object();
        }
        if (c == '[') {
            return array();
        }
        if (c == '"') {
            return string();
        }
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "+-.".indexOf(s.charAt(i)) >= 0)) {
            i++;
        }
        String word = s.substring(start, i);
        if (word.equals("true") || word.equals("false")) {
            return Boolean.valueOf(word);
        }
        if (word.equals("null")) {
            return null;
        }
        if (word.matches("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?")) {
            return word;
        }
        throw error("unexpected " + (word.isEmpty() ? "'" + c + "'" : word));
    }

    private Map<String, Object> object() {
        Map<String, Object> map = new LinkedHashMap<>();
        i++;
        while (true) {
            space();
            if (i < s.length() && s.charAt(i) == '}') {
                i++;
                return map;
            }
            String key = string();
            space();
            expect(':');
            map.put(key, value());
            space();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
            } else {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array() {
        List<Object> list = new ArrayList<>();
        i++;
        while (true) {
            space();
            if (i < s.length() && s.charAt(i) == ']') {
                i++;
                return list;
            }
            list.add(value());
            space();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
            } else {
                expect(']');
                return list;
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char escaped = s.charAt(i++);
            switch (escaped) {
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 't': out.append('\t'); break;
                case 'u':
                    if (i + 4 > s.length()) {
                        throw error("short \\u escape");
                    }
                    out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                    break;
                default: out.append(escaped);
            }
        }
    }

    /** Skips white space and comments. */
    private void space() {
        while (i < s.length()) {
            if (Character.isWhitespace(s.charAt(i))) {
                i++;
            } else if (s.startsWith("//", i)) {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end + 1;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                if (end < 0) {
                    throw error("unterminated comment");
                }
                i = end + 2;
            } else {
                return;
            }
        }
    }

    private void expect(char c) {
        if (i >= s.length() || s.charAt(i) != c) {
            throw error("expected '" + c + "'");
        }
        i++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at offset " + i);
    }
}
