/**
 * The manager's internals: the wire protocol ({@code Wire}, {@code WireCodec}), the client connection and proxy
 * handler, the server core, sessions (leases) and object table, and the built-in managed types. Not API.
 */
package io.ipckit.manager.internal;
