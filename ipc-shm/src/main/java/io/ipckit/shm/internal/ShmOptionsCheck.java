package io.ipckit.shm.internal;

import io.ipckit.shm.ShmOptions;

import java.util.Arrays;
import java.util.List;

/**
 * Refuses the {@link ShmOptions} that a factory cannot apply: an option changed from its default that does not
 * belong to the kind of resource being created is an error of the caller, not something to ignore silently.
 * <p>
 * Stateless and thread-safe.
 */
public final class ShmOptionsCheck
{
    private ShmOptionsCheck()
    {
    }

    /**
     * @param options    the caller's options, not null.
     * @param what       the resource being created, for the message, e.g. {@code SharedArray "grid"}.
     * @param applicable names of the options ({@link ShmOptions#PERSISTENT}, ...) that this kind applies.
     * @return {@code options}.
     * @throws NullPointerException     when {@code options} is null.
     * @throws IllegalArgumentException when another option was changed from its default.
     */
    public static ShmOptions applicableOnly(final ShmOptions options, final String what, final String... applicable)
    {
        if (options == null)
        {
            throw new NullPointerException("options of " + what + " must not be null: pass new ShmOptions()");
        }
        final List<String> allowed = Arrays.asList(applicable);
        refuse(options.persistent() != ShmOptions.PERSISTENT_DEFAULT, ShmOptions.PERSISTENT, allowed, what);
        refuse(options.minSlotBytes() != ShmOptions.MIN_SLOT_DEFAULT_BYTES, ShmOptions.MIN_SLOT_BYTES, allowed, what);
        refuse(options.bounded() != ShmOptions.BOUNDED_DEFAULT, ShmOptions.BOUNDED, allowed, what);
        refuse(options.ownerSlots() != ShmOptions.OWNER_SLOTS_DEFAULT, ShmOptions.OWNER_SLOTS, allowed, what);
        refuse(options.reductionThreads() != ShmOptions.REDUCTION_THREADS_DEFAULT, ShmOptions.REDUCTION_THREADS,
            allowed, what);
        return options;
    }

    private static void refuse(final boolean set, final String option, final List<String> allowed, final String what)
    {
        if (set && !allowed.contains(option))
        {
            throw new IllegalArgumentException("ShmOptions." + option + " does not apply to " + what +
                ": it applies to " + applicableTo(option) + "; leave it at its default");
        }
    }

    private static String applicableTo(final String option)
    {
        return switch (option)
        {
            case ShmOptions.MIN_SLOT_BYTES -> "a ShareableList";
            case ShmOptions.BOUNDED, ShmOptions.OWNER_SLOTS -> "a SharedSemaphore";
            case ShmOptions.REDUCTION_THREADS -> "a SharedArray's create and open";
            default -> "the resources whose create takes ShmOptions";
        };
    }
}
