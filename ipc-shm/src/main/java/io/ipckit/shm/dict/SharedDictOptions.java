package io.ipckit.shm.dict;

import io.ipckit.core.internal.kit.PropertyDefaults;

/**
 * Configuration of a {@link SharedDict}, in the Aeron {@code Context} style: a mutable object whose fluent setters
 * validate at once and return {@code this}, with defaults paired with system properties.
 * <p>
 * {@link #maxBytes(long)}, {@link #segmentBytes(int)}, {@link #initialSegments(int)} and {@link #persistent(boolean)}
 * shape the file and so apply only to {@link SharedDict#create}; {@link SharedDict#open} refuses options in which
 * any of them was set, naming it, rather than ignoring it.
 * <p>
 * Not thread-safe: configure it in one thread, then pass it to a factory (which copies what it needs).
 */
public final class SharedDictOptions
{
    /** System property of the default {@link #maxBytes(long)}. */
    public static final String MAX_BYTES_PROP_NAME = "ipckit.dict.max.bytes";
    /** Default {@link #maxBytes(long)}: 1 GiB of address space; only the segments in use take memory. */
    public static final long MAX_BYTES_DEFAULT = 1L << 30;
    /** System property of the default {@link #segmentBytes(int)}. */
    public static final String SEGMENT_BYTES_PROP_NAME = "ipckit.dict.segment.bytes";
    /** Default {@link #segmentBytes(int)}: 64 KiB, about 700 entries of 8-byte keys and 64-byte values. */
    public static final int SEGMENT_BYTES_DEFAULT = 64 * 1024;
    /** System property of the default {@link #initialSegments(int)}. */
    public static final String INITIAL_SEGMENTS_PROP_NAME = "ipckit.dict.initial.segments";
    /** Default {@link #initialSegments(int)}. */
    public static final int INITIAL_SEGMENTS_DEFAULT = 1;
    /** Smallest segment: one page. */
    public static final int MIN_SEGMENT_BYTES = 4096;
    /** Largest segment: 64 MiB. */
    public static final int MAX_SEGMENT_BYTES = 64 << 20;
    /** Largest bound: segment offsets are ints, so the whole file stays under 2 GiB. */
    public static final long MAX_MAX_BYTES = (1L << 31) - (16L << 20);

    private long maxBytes;
    private int segmentBytes;
    private int initialSegments;
    private boolean persistent;
    private String creationOptionSet;

    /*
     * Per option: a default from a system property that its setter refused, and which no setter call has replaced
     * since: a create with these options fails with it (an open does not use these options). Null when in range.
     */
    private String refusedMaxBytes;
    private String refusedSegmentBytes;
    private String refusedInitialSegments;

    /**
     * Options with every default. A default given by a system property is checked as its setter checks it; one that
     * is not a number or out of range is replaced by the built-in default, and a create with these options is
     * refused, naming the property, unless a setter gives that option a value first.
     */
    public SharedDictOptions()
    {
        maxBytes = MAX_BYTES_DEFAULT;
        segmentBytes = SEGMENT_BYTES_DEFAULT;
        initialSegments = INITIAL_SEGMENTS_DEFAULT;
        refusedMaxBytes = PropertyDefaults.applyLongForCreate(MAX_BYTES_PROP_NAME, this::maxBytes);
        refusedSegmentBytes = PropertyDefaults.applyIntForCreate(SEGMENT_BYTES_PROP_NAME, this::segmentBytes);
        refusedInitialSegments = PropertyDefaults.applyIntForCreate(INITIAL_SEGMENTS_PROP_NAME, this::initialSegments);
        creationOptionSet = null; // defaults are not options the caller set: an open accepts them
    }

    /**
     * The most bytes the dict's segments may take: the file reserves this much address space (a sparse file) and
     * allocates segments as it grows; a put that needs more fails with
     * {@link io.ipckit.core.exceptions.SharedMemoryExhaustedException} and leaves the dict unchanged.
     *
     * @param maxBytes the bound, from 4 segments to {@link #MAX_MAX_BYTES}.
     * @return this.
     * @throws IllegalArgumentException when out of range.
     */
    public SharedDictOptions maxBytes(final long maxBytes)
    {
        if (maxBytes < 4L * MIN_SEGMENT_BYTES || maxBytes > MAX_MAX_BYTES)
        {
            throw new IllegalArgumentException("maxBytes=" + maxBytes + " is out of range: it must be from " +
                4 * MIN_SEGMENT_BYTES + " to " + MAX_MAX_BYTES);
        }
        this.maxBytes = maxBytes;
        creationOptionSet = "maxBytes";
        refusedMaxBytes = null; // the caller's value replaces a refused default
        return this;
    }

    /**
     * @return the bound on segment bytes.
     */
    public long maxBytes()
    {
        return maxBytes;
    }

    /**
     * The length of one segment, the unit of locking and growth. One entry must fit in 7/8 of a segment.
     *
     * @param segmentBytes a power of two from {@link #MIN_SEGMENT_BYTES} to {@link #MAX_SEGMENT_BYTES}.
     * @return this.
     * @throws IllegalArgumentException when not a power of two or out of range.
     */
    public SharedDictOptions segmentBytes(final int segmentBytes)
    {
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES || Integer.bitCount(segmentBytes) != 1)
        {
            throw new IllegalArgumentException("segmentBytes=" + segmentBytes + " must be a power of two from " +
                MIN_SEGMENT_BYTES + " to " + MAX_SEGMENT_BYTES);
        }
        this.segmentBytes = segmentBytes;
        creationOptionSet = "segmentBytes";
        refusedSegmentBytes = null; // the caller's value replaces a refused default
        return this;
    }

    /**
     * @return the segment length in bytes.
     */
    public int segmentBytes()
    {
        return segmentBytes;
    }

    /**
     * Segments allocated at creation, to spare a dict known to grow big its first splits. At creation they must
     * leave at least one segment of {@link #maxBytes} free: growth and compaction rebuild a segment into free ones.
     *
     * @param initialSegments a power of two, at least 1.
     * @return this.
     * @throws IllegalArgumentException when not a power of two.
     */
    public SharedDictOptions initialSegments(final int initialSegments)
    {
        if (initialSegments < 1 || Integer.bitCount(initialSegments) != 1)
        {
            throw new IllegalArgumentException("initialSegments=" + initialSegments + " must be a power of two, >= 1");
        }
        this.initialSegments = initialSegments;
        creationOptionSet = "initialSegments";
        refusedInitialSegments = null; // the caller's value replaces a refused default
        return this;
    }

    /**
     * @return the number of segments at creation.
     */
    public int initialSegments()
    {
        return initialSegments;
    }

    /**
     * Whether the dict survives its creator's death (otherwise the resource tracker removes it).
     *
     * @param persistent true to keep it.
     * @return this.
     */
    public SharedDictOptions persistent(final boolean persistent)
    {
        this.persistent = persistent;
        creationOptionSet = "persistent";
        return this;
    }

    /**
     * @return true when the dict survives its creator.
     */
    public boolean persistent()
    {
        return persistent;
    }

    /**
     * @return the name of the last creation-only option set, or null: {@link SharedDict#open} refuses it.
     */
    String creationOptionSet()
    {
        return creationOptionSet;
    }

    void validateForCreate(final String name)
    {
        PropertyDefaults.refuseCreate("SharedDict \"" + name + "\"", refusedMaxBytes, refusedSegmentBytes,
            refusedInitialSegments);
        if ((long)initialSegments * segmentBytes > maxBytes - segmentBytes)
        {
            // a segment is rebuilt (split or compacted) into free ones: with none left, removed entries' room could
            // never be reclaimed
            throw new IllegalArgumentException("cannot create SharedDict \"" + name + "\": initialSegments=" +
                initialSegments + " of segmentBytes=" + segmentBytes + " leave no segment of maxBytes=" + maxBytes +
                " free for growth and compaction; raise maxBytes or lower initialSegments");
        }
        if (maxBytes / segmentBytes < 2)
        {
            throw new IllegalArgumentException("cannot create SharedDict \"" + name + "\": maxBytes=" + maxBytes +
                " holds fewer than 2 segments of " + segmentBytes + " bytes; raise maxBytes or lower segmentBytes");
        }
    }

    /**
     * @return the options, for diagnostics.
     */
    @Override
    public String toString()
    {
        return "SharedDictOptions{maxBytes=" + maxBytes + ", segmentBytes=" + segmentBytes + ", initialSegments=" +
            initialSegments + ", persistent=" + persistent + "}";
    }
}
