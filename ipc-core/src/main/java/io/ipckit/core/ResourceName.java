package io.ipckit.core;

import io.ipckit.core.exceptions.InvalidNameException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Validation and generation of resource names. A name is {@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most
 * {@value #MAX_LENGTH_BYTES} bytes: it cannot contain {@code /}, cannot be {@code .} or {@code ..}, and so can
 * never leave the shared directory. Names are checked before the file system is touched.
 * <p>
 * Thread-safe.
 */
public final class ResourceName
{
    /** The longest name accepted, in bytes. */
    public static final int MAX_LENGTH_BYTES = 200;

    /** The prefix of names made up by {@link #random(String)} when no prefix is given, as Python's {@code psm_}. */
    public static final String RANDOM_PREFIX = "ipc_";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ResourceName()
    {
    }

    /**
     * Checks a name and returns it unchanged.
     *
     * @param name the name to check.
     * @return {@code name}.
     * @throws InvalidNameException when the name is null, empty, too long, or holds a character outside
     *                              {@code [A-Za-z0-9._-]} or does not start with a letter or digit.
     */
    public static String validate(final String name)
    {
        if (name == null)
        {
            throw new InvalidNameException("resource name is null: pass a name such as \"frames\" or \"prices-1\"");
        }
        if (name.isEmpty())
        {
            throw new InvalidNameException("resource name is empty: pass a name such as \"frames\" or \"prices-1\"");
        }
        final int byteLength = name.getBytes(StandardCharsets.UTF_8).length;
        if (byteLength > MAX_LENGTH_BYTES)
        {
            throw new InvalidNameException("resource name is " + byteLength + " bytes long, the limit is " +
                MAX_LENGTH_BYTES + ": \"" + name.substring(0, 40) + "...\"; use a shorter name");
        }
        if (!isLeadChar(name.charAt(0)))
        {
            throw new InvalidNameException("resource name \"" + printable(name) +
                "\" must start with a letter or digit (names are [A-Za-z0-9][A-Za-z0-9._-]*)");
        }
        for (int i = 1; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (!isLeadChar(c) && c != '.' && c != '_' && c != '-')
            {
                throw new InvalidNameException("resource name \"" + printable(name) + "\" holds '" +
                    printable(String.valueOf(c)) + "' at index " + i +
                    ": names are [A-Za-z0-9][A-Za-z0-9._-]* (no '/', no spaces, nothing that leaves the directory)");
            }
        }
        return name;
    }

    /**
     * @param name a candidate name.
     * @return true when {@link #validate(String)} would accept it.
     */
    public static boolean isValid(final String name)
    {
        try
        {
            validate(name);
            return true;
        }
        catch (final InvalidNameException ex)
        {
            return false;
        }
    }

    /**
     * Makes up a fresh name, as Python's {@code SharedMemory(create=True)} does without a name.
     *
     * @param prefix a valid name prefix, or null for {@value #RANDOM_PREFIX}.
     * @return {@code prefix} followed by 16 random hex digits.
     */
    public static String random(final String prefix)
    {
        final String lead = prefix == null ? RANDOM_PREFIX : validate(prefix);
        final byte[] bytes = new byte[8];
        RandomHolder.RANDOM.nextBytes(bytes);
        final StringBuilder sb = new StringBuilder(lead.length() + 16).append(lead);
        for (final byte b : bytes)
        {
            sb.append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
        }
        return sb.toString();
    }

    /**
     * Seeded on the first random name only: seeding loads the security providers (about 15 ms at JVM start), which
     * a process that only checks names, such as a child opening a pipe by name, does not need.
     */
    private static final class RandomHolder
    {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private static boolean isLeadChar(final char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static String printable(final String s)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 60; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
