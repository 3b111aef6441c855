package io.ipckit.manager.internal;

import java.io.Serializable;

/**
 * What a proxy is on the wire: the manager instance, the object's id there, its type id and the interface proxies
 * of it expose. A client decodes one into a proxy; the manager keeps one stored in a container as is, so a proxy
 * put into a managed dict is a proxy again for whoever gets it back.
 *
 * @param managerId     the manager instance that owns the object.
 * @param objectId      the object's id in that manager.
 * @param typeid        its type id.
 * @param interfaceName the interface a proxy of it implements.
 */
public record ProxyRef(String managerId, long objectId, String typeid, String interfaceName) implements Serializable
{
}
