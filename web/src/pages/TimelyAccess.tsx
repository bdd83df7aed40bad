/** Timely access: being built. */
export function TimelyAccessPage() {
  return (
    <section>
      <h1>Timely access</h1>
    </section>
  );
}
