package io.ipckit.bench.harness.messaging;

import java.nio.file.Path;

/**
 * What one measurement needs from a {@link Transport}: a number of one-way channels, numbered from 0.
 *
 * @param channels         how many channels; ping-pong uses channel 0 (ping) and 1 (pong), 1 to 1 uses channel 0,
 *                         2 to 2 uses channels 0 and 1 (or channel 0 alone when the transport is
 *                         {@link Transport#sharedChannel() shared}).
 * @param maxMessageBytes  the longest message that will be sent.
 * @param scratchDirectory a directory inside the run's shared directory for the transport's files; it is deleted
 *                         after the run.
 * @param namePrefix       a prefix unique to this measurement for resource names in the shared directory.
 */
public record ChannelPlan(int channels, int maxMessageBytes, Path scratchDirectory, String namePrefix)
{
}
