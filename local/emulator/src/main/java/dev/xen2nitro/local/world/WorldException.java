package dev.xen2nitro.local.world;

/** A world file was refused; the message names every wrong field. */
public class WorldException extends RuntimeException {
    public WorldException(String message) {
        super(message);
    }
}
