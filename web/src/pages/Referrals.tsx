/** Referrals: being built. */
export function ReferralsPage() {
  return (
    <section>
      <h1>Referrals</h1>
    </section>
  );
}
