package dev.xen2nitro.functions.core;

/** An input record that checks its own values after binding; throws {@link InvalidInputException}. */
public interface Validatable {
    void validate();
}
