package dev.vmpackager.registry;

import java.util.Objects;

/**
 * A user name and password (or token) for one registry. {@link #toString()} never shows the
 * secret, so a credential that ends up in a message or a debug log does not leak.
 *
 * @param username the user name
 * @param password the password or token
 * @param source where it came from, for messages, e.g. {@code settings.xml server 'localhost:5000'}
 */
public record RegistryCredentials(String username, String password, String source) {

  public RegistryCredentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(source, "source");
  }

  @Override
  public String toString() {
    return "RegistryCredentials[username=" + username + ", password=****, source=" + source + "]";
  }
}
