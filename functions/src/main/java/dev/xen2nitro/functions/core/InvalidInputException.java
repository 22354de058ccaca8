package dev.xen2nitro.functions.core;

/** The input is wrong; nothing was changed. The message says what is wrong and what to do. */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }
}
