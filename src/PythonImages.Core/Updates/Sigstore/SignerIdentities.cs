using System;
using System.Collections.Generic;
using System.Linq;
using PythonImages.Security;

namespace PythonImages.Updates.Sigstore
{
    /// <summary>Who may sign a release series: the certificate's e-mail (SAN) and the OIDC issuer that vouched for it.</summary>
    public sealed class SignerIdentity
    {
        /// <summary>An empty identity (for PowerShell's object binding).</summary>
        public SignerIdentity()
        {
        }

        /// <summary>The signer <paramref name="email"/> at <paramref name="issuer"/>, for one series or (null) every series.</summary>
        public SignerIdentity(string? series, string email, string issuer)
        {
            Series = series;
            Email = email;
            Issuer = issuer;
        }

        /// <summary>MAJOR.MINOR of the release series (3.14); empty or null: every series.</summary>
        public string? Series { get; set; }

        /// <summary>The signer's email, as in the certificate.</summary>
        public string Email { get; set; } = string.Empty;

        /// <summary>The OIDC issuer, as in the certificate.</summary>
        public string Issuer { get; set; } = string.Empty;

        /// <summary>Whether the identity is valid for <paramref name="series"/>.</summary>
        public bool AppliesTo(string series) => string.IsNullOrEmpty(Series) || string.Equals(Series, series, StringComparison.Ordinal);

        /// <summary>Whether a certificate's email and issuer are this identity's.</summary>
        public bool Matches(string email, string issuer) =>
            string.Equals(Email, email, StringComparison.OrdinalIgnoreCase) && string.Equals(Issuer, issuer, StringComparison.Ordinal);

        /// <inheritdoc/>
        public override string ToString() => $"{Email} ({Issuer})" + (string.IsNullOrEmpty(Series) ? string.Empty : " for " + Series);

        /// <summary>Checks a user-given identity; throws <see cref="UpdateException"/> (Update.InvalidIdentity).</summary>
        public void Validate()
        {
            string? why = null;
            if (!string.IsNullOrEmpty(Series) && !System.Text.RegularExpressions.Regex.IsMatch(Series, @"\A[0-9]{1,4}\.[0-9]{1,4}\z"))
            {
                why = $"Series '{InputGrammar.Show(Series)}' is not MAJOR.MINOR (e.g. 3.14)";
            }
            else if (string.IsNullOrEmpty(Email) || Email.Length > 254 || InputGrammar.FirstNonPrintable(Email) >= 0 || Email.IndexOf('@') <= 0 || Email.IndexOf('@') != Email.LastIndexOf('@'))
            {
                why = $"Email '{InputGrammar.Show(Email)}' is not an e-mail address";
            }
            else if (!Uri.TryCreate(Issuer, UriKind.Absolute, out var uri) || uri.Scheme != "https" || InputGrammar.FirstNonPrintable(Issuer) >= 0)
            {
                why = $"Issuer '{InputGrammar.Show(Issuer)}' is not an https URL (e.g. https://github.com/login/oauth)";
            }

            if (why != null)
            {
                throw new UpdateException(
                    UpdateErrorIds.InvalidIdentity,
                    "The -Identity value is not valid: " + why + ".",
                    "Pass identities as @{ Series = '3.14'; Email = 'hugo@python.org'; Issuer = 'https://github.com/login/oauth' } (Series is optional).",
                    Email);
            }
        }
    }

    /// <summary>
    /// The release managers' signing identities per series, as python.org's "Sigstore Information" page lists them
    /// (facts; -Identity adds to them).
    /// </summary>
    public static class SignerIdentities
    {
        private const string GitHub = "https://github.com/login/oauth";
        private const string Google = "https://accounts.google.com";

        /// <summary>The release managers python.org lists, by series.</summary>
        public static IReadOnlyList<SignerIdentity> PythonOrgReleaseManagers { get; } = new[]
        {
            new SignerIdentity("3.7", "nad@python.org", GitHub),
            new SignerIdentity("3.8", "lukasz@langa.pl", GitHub),
            new SignerIdentity("3.9", "lukasz@langa.pl", GitHub),
            new SignerIdentity("3.10", "pablogsal@python.org", Google),
            new SignerIdentity("3.11", "pablogsal@python.org", Google),
            new SignerIdentity("3.12", "thomas@python.org", Google),
            new SignerIdentity("3.13", "thomas@python.org", Google),
            new SignerIdentity("3.14", "hugo@python.org", GitHub),
            new SignerIdentity("3.15", "hugo@python.org", GitHub),
            new SignerIdentity("3.16", "savannah@python.org", GitHub),
            new SignerIdentity("3.17", "savannah@python.org", GitHub),
        };

        /// <summary>The identities allowed for <paramref name="series"/>: the table's and the extra ones that apply.</summary>
        public static IReadOnlyList<SignerIdentity> For(string series, IEnumerable<SignerIdentity>? extra) =>
            PythonOrgReleaseManagers.Concat(extra ?? Enumerable.Empty<SignerIdentity>()).Where(i => i.AppliesTo(series)).ToList();
    }
}
