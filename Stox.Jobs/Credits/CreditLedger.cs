using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stox.Jobs.Data;
using Stox.Jobs.Uploads;

namespace Stox.Jobs.Credits;

/// <summary>
/// The credits ledger. Every change is an append-only entry written with the account's new balance, inside the
/// caller's transaction and under a lock on the account row, so concurrent spends queue and a balance can neither
/// go negative nor be spent twice. Entries are idempotent by reference: posting one that exists changes nothing.
/// </summary>
public sealed class CreditLedger(JobsDbContext db, IOptions<CreditsOptions> options, TimeProvider time)
{
    /// <summary>
    /// Locks the user's account until the transaction ends, opening it on first use, and gives the monthly grant
    /// of the current month if it has not been given. <paramref name="tier"/> is the one in the caller's token; an
    /// admin acting on someone else passes null and the tier last seen is used. A move to a tier with a larger
    /// grant in a month already granted tops the month up to the new tier's grant (see <see cref="TopUpAsync"/>).
    /// </summary>
    public async Task<CreditAccount> LockAsync(Guid userId, string? tier, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO credit_accounts ("UserId", "Balance", "Tier", "CreatedAt", "UpdatedAt")
            VALUES ({userId}, 0, {tier ?? "free"}, {now}, {now})
            ON CONFLICT ("UserId") DO NOTHING
            """, cancellationToken);
        var account = await db.CreditAccounts
            .FromSql($"""SELECT * FROM credit_accounts WHERE "UserId" = {userId} FOR UPDATE""")
            .SingleAsync(cancellationToken);

        var tierChanged = tier is not null && account.Tier != tier;
        if (tierChanged)
        {
            account.Tier = tier!;
            account.UpdatedAt = now;
        }

        var month = UploadQuota.MonthOf(now);
        if (account.LastGrantMonth != month)
        {
            account.LastGrantMonth = month;
            account.UpdatedAt = now;
            var grant = options.Value.MonthlyGrantOf(account.Tier);
            if (grant > 0)
            {
                await PostAsync(account, CreditKind.Grant, grant,
                    string.Create(CultureInfo.InvariantCulture, $"Monthly grant of the {account.Tier} plan for {month:yyyy-MM}"),
                    GrantReference(userId, month),
                    cancellationToken);
            }
        }
        else if (tierChanged)
        {
            await TopUpAsync(account, month, cancellationToken);
        }

        return account;
    }

    /// <summary>
    /// An upgrade in the middle of a month gives what the new tier's grant has beyond every grant of that month so
    /// far, at once; a downgrade takes nothing back. Moving up and down again in one month gives each tier's
    /// top-up once (reference <c>grant:{user}:{month}:{tier}</c>), so switching plans cannot mint credits.
    /// </summary>
    private async Task TopUpAsync(CreditAccount account, DateOnly month, CancellationToken cancellationToken)
    {
        var monthReference = GrantReference(account.UserId, month);
        var granted = await db.CreditTransactions
            .Where(t => t.UserId == account.UserId && t.Kind == CreditKind.Grant
                        && (t.Reference == monthReference || t.Reference.StartsWith(monthReference + ":")))
            .SumAsync(t => t.Amount, cancellationToken);
        var topUp = options.Value.MonthlyGrantOf(account.Tier) - granted;
        if (topUp > 0)
        {
            await PostAsync(account, CreditKind.Grant, topUp,
                string.Create(CultureInfo.InvariantCulture, $"Upgrade to the {account.Tier} plan: the rest of its grant for {month:yyyy-MM}"),
                $"{monthReference}:{account.Tier}",
                cancellationToken);
        }
    }

    private static string GrantReference(Guid userId, DateOnly month) =>
        string.Create(CultureInfo.InvariantCulture, $"grant:{userId:N}:{month:yyyy-MM}");

    /// <summary>
    /// Adds an entry to a locked account and moves its balance; null when an entry with this reference exists
    /// (a redelivered message, a replayed webhook). Taking more than the balance is a bug in the caller: check first.
    /// </summary>
    public async Task<CreditTransaction?> PostAsync(CreditAccount account, string kind, int amount, string reason, string reference, CancellationToken cancellationToken)
    {
        if (account.Balance + amount < 0)
        {
            throw new InvalidOperationException($"Posting {amount} would take the balance of {account.Balance} below zero.");
        }

        if (await db.CreditTransactions.AnyAsync(t => t.Reference == reference, cancellationToken)
            || db.CreditTransactions.Local.Any(t => t.Reference == reference))
        {
            return null;
        }

        var now = time.GetUtcNow();
        account.Balance += amount;
        account.UpdatedAt = now;
        var entry = new CreditTransaction
        {
            Id = Guid.CreateVersion7(now),
            UserId = account.UserId,
            Kind = kind,
            Amount = amount,
            BalanceAfter = account.Balance,
            Reason = reason.Length <= 200 ? reason : reason[..200],
            Reference = reference,
            CreatedAt = now,
        };
        db.CreditTransactions.Add(entry);
        return entry;
    }

    /// <summary>When the next monthly grant is given: the first moment of next month (UTC).</summary>
    public static DateTimeOffset NextGrantAt(DateTimeOffset now)
    {
        var month = UploadQuota.MonthOf(now);
        return new DateTimeOffset(month.AddMonths(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    }
}
