package dev.vmpackager.vm;

import java.util.Objects;

/**
 * One resolved VM setting and where it came from, so the build log can say
 * {@code memory 4Gi (from app.ovf)}.
 *
 * @param value the value every goal uses
 * @param from which of the three places gave it
 * @param origin the text shown in parentheses after the value in the build log, e.g.
 *     {@code from app.ovf}, {@code from <vm><memory>}, {@code default},
 *     {@code lsilogic_sas in app.ovf, devices=compatible}
 * @param <T> the value's type
 */
public record Setting<T>(T value, From from, String origin) {

  /** Where a setting came from, in the order of precedence. */
  public enum From {
    /** The POM (or its user property) set it: always wins. */
    POM,
    /** The VM's own description stated it. */
    DESCRIPTION,
    /** Neither did: the plugin's default. */
    DEFAULT
  }

  /** Checks the fields are present. */
  public Setting {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(origin, "origin");
  }

  /**
   * @param value the value the POM gives
   * @param parameter the POM parameter, e.g. {@code <vm><memory>}
   * @param <T> the value's type
   * @return the setting, origin {@code from <parameter>}
   */
  public static <T> Setting<T> pom(T value, String parameter) {
    return new Setting<>(value, From.POM, "from " + parameter);
  }

  /**
   * @param value the value the description gives
   * @param origin the origin text, e.g. {@code from app.ovf}
   * @param <T> the value's type
   * @return the setting
   */
  public static <T> Setting<T> described(T value, String origin) {
    return new Setting<>(value, From.DESCRIPTION, origin);
  }

  /**
   * @param value the plugin's default
   * @param origin the origin text, e.g. {@code default} or {@code default: the artifactId}
   * @param <T> the value's type
   * @return the setting
   */
  public static <T> Setting<T> byDefault(T value, String origin) {
    return new Setting<>(value, From.DEFAULT, origin);
  }

  /** @return whether the POM or the description gave the value (not a default) */
  public boolean isStated() {
    return from != From.DEFAULT;
  }
}
