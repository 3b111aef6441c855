package io.ipckit.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict little JSON parser (RFC 8259, no extensions) to check that {@code --json} output parses, and to read it:
 * objects become {@link LinkedHashMap}s, arrays {@link ArrayList}s, numbers {@link Long} or {@link Double}.
 */
final class JsonCheck
{
    private final String text;
    private int i;

    private JsonCheck(final String text)
    {
        this.text = text;
    }

    /**
     * @param text JSON text.
     * @return its value.
     * @throws IllegalArgumentException when it is not exactly one JSON value.
     */
    static Object parse(final String text)
    {
        final JsonCheck parser = new JsonCheck(text);
        final Object value = parser.value();
        parser.space();
        if (parser.i != text.length())
        {
            throw parser.error("trailing text");
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> parseArrayOfObjects(final String text)
    {
        return (List<Map<String, Object>>)parse(text);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(final String text)
    {
        return (Map<String, Object>)parse(text);
    }

    private Object value()
    {
        space();
        if (i >= text.length())
        {
            throw error("unexpected end");
        }
        final char c = text.charAt(i);
        if (c == '{')
        {
            i++;
            final Map<String, Object> map = new LinkedHashMap<>();
            space();
            if (peek('}'))
            {
                return map;
            }
            do
            {
                space();
                final String key = string();
                space();
                expect(':');
                if (map.put(key, value()) != null)
                {
                    throw error("duplicate key " + key);
                }
                space();
            }
            while (peek(','));
            expect('}');
            return map;
        }
        if (c == '[')
        {
            i++;
            final List<Object> list = new ArrayList<>();
            space();
            if (peek(']'))
            {
                return list;
            }
            do
            {
                list.add(value());
                space();
            }
            while (peek(','));
            expect(']');
            return list;
        }
        if (c == '"')
        {
            return string();
        }
        if (text.startsWith("true", i))
        {
            i += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("false", i))
        {
            i += 5;
            return Boolean.FALSE;
        }
        if (text.startsWith("null", i))
        {
            i += 4;
            return null;
        }
        final int start = i;
        while (i < text.length() && "+-0123456789.eE".indexOf(text.charAt(i)) >= 0)
        {
            i++;
        }
        final String number = text.substring(start, i);
        if (!number.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?"))
        {
            throw error("bad value '" + number + "'");
        }
        return number.matches("-?[0-9]+") ? (Object)Long.parseLong(number) : (Object)Double.parseDouble(number);
    }

    private String string()
    {
        expect('"');
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            if (i >= text.length())
            {
                throw error("unterminated string");
            }
            final char c = text.charAt(i++);
            if (c == '"')
            {
                return sb.toString();
            }
            if (c < 0x20)
            {
                throw error("control character in string");
            }
            if (c == '\\')
            {
                final char e = text.charAt(i++);
                switch (e)
                {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' ->
                    {
                        sb.append((char)Integer.parseInt(text.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw error("bad escape");
                }
            }
            else
            {
                sb.append(c);
            }
        }
    }

    private void space()
    {
        while (i < text.length() && " \t\r\n".indexOf(text.charAt(i)) >= 0)
        {
            i++;
        }
    }

    private boolean peek(final char c)
    {
        if (i < text.length() && text.charAt(i) == c)
        {
            i++;
            return true;
        }
        return false;
    }

    private void expect(final char c)
    {
        if (!peek(c))
        {
            throw error("expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException(what + " at " + i + " in: " + text);
    }
}
