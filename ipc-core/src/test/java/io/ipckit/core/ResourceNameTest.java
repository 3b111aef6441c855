package io.ipckit.core;

import io.ipckit.core.exceptions.InvalidNameException;
import io.ipckit.core.file.MappedFile;
import io.ipckit.core.file.ResourceFile;
import io.ipckit.core.file.ResourceKind;
import io.ipckit.core.testing.TestDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResourceNameTest
{
    @RegisterExtension
    final TestDirectory dir = new TestDirectory();

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "..", ".", "a/b", "../x", "/etc/passwd", ".hidden", "-x", "_x", "a b", "a\u0000b",
        "a\nb", "é", "naïve", "a*", "a?b", "x\\y", "a:b", "tab\tname"})
    void shouldRefuseInvalidNamesBeforeTouchingTheFileSystem(final String name)
    {
        assertThrows(InvalidNameException.class, () -> ResourceName.validate(name));
        assertThrows(InvalidNameException.class, () -> MappedFile.create(name, 64));
        assertThrows(InvalidNameException.class, () -> MappedFile.open(name));
        assertThrows(InvalidNameException.class, () -> ResourceFile.create(name, ResourceKind.TEST, 1, 0, 8, false, null));
        assertThrows(InvalidNameException.class, () -> SharedDirectory.unlink(name));
        assertEquals(0, dir.list().size(), "nothing may be created for an invalid name");
    }

    @Test
    void shouldRefuseNullAndOverlongNames()
    {
        final InvalidNameException nullName = assertThrows(InvalidNameException.class, () -> ResourceName.validate(null));
        assertTrue(nullName.getMessage().contains("null"), nullName.getMessage());
        final String tooLong = "a".repeat(ResourceName.MAX_LENGTH_BYTES + 1);
        final InvalidNameException longName = assertThrows(InvalidNameException.class, () -> ResourceName.validate(tooLong));
        assertTrue(longName.getMessage().contains("201 bytes"), longName.getMessage());
        assertEquals("a".repeat(200), ResourceName.validate("a".repeat(200)));
    }

    @Test
    void shouldNameTheOffendingCharacter()
    {
        final InvalidNameException ex = assertThrows(InvalidNameException.class, () -> ResourceName.validate("ab/c"));
        assertEquals("resource name \"ab/c\" holds '/' at index 2: names are [A-Za-z0-9][A-Za-z0-9._-]* " +
            "(no '/', no spaces, nothing that leaves the directory)", ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z9", "prices-1", "frames.v2", "psm_1234abcd", "0", "a..b"})
    void shouldAcceptValidNames(final String name)
    {
        assertEquals(name, ResourceName.validate(name));
        assertEquals(dir.path().resolve(name), SharedDirectory.resolve(name));
    }

    @Test
    void shouldMakeUpDistinctValidRandomNames()
    {
        final String a = ResourceName.random(null);
        final String b = ResourceName.random("frames-");
        assertTrue(ResourceName.isValid(a) && a.startsWith(ResourceName.RANDOM_PREFIX), a);
        assertTrue(ResourceName.isValid(b) && b.startsWith("frames-") && b.length() == 7 + 16, b);
        assertTrue(!a.equals(ResourceName.random(null)));
    }
}
