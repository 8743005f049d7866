import { expect, test } from 'vitest';
import { answerChallenge, newAgentKey } from '../agents/agent.ts';
import { describeInBrowser, openDashboard, saveScreenshot, setUpDashboard, unexpectedConsoleErrors } from './browser.ts';

// Canaries: values only a role that may reveal them should ever see on screen.
const TAX_ID = 'TAXID-CANARY-4242';
const CARD = '4111 1111 1111 1111';

describeInBrowser('the dashboard in a real browser: agents and datasets', () => {
  const harness = setUpDashboard();

  test('[AGT-01] an admin creates a pairing token on the Agents page, sees it once with the pairing command, and it is gone after leaving the page', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Books');
    const admin = { id: workspace.id, token: await harness.enclave.addKey(workspace.id, 'admin') };
    const { page, context, problems } = await openDashboard(harness, admin);
    await page.getByRole('link', { name: 'Agents' }).click();
    await page.getByText('No agent is paired with this workspace yet.').waitFor();

    await page.getByLabel('Name').fill('Accounting PC');
    await page.getByRole('button', { name: 'Create pairing token' }).click();
    const notice = page.getByRole('region', { name: /Pair the agent “Accounting PC” now/ });
    await notice.getByText('You will not see this pairing token again.').waitFor();
    const token = await notice.getByLabel('Pairing token').inputValue();
    expect(token.length).toBeGreaterThanOrEqual(32);
    // The command names the server and reads the token from standard input: the token is in no command line and no URL.
    const command = await notice.getByLabel('Pairing command').textContent();
    expect(command).toBe(`./enclave agent pair --server ${harness.enclave.url} --token-stdin`);
    expect(page.url()).not.toContain(token);
    const pending = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Accounting PC' }) });
    await pending.waitFor();
    await saveScreenshot(page, 'dashboard-agents-pairing-token');

    // The agent pairs with the token shown, as `enclave agent pair` would.
    const key = newAgentKey();
    const paired = await harness.enclave.request('POST', '/api/agents/pair', { body: { token, publicKey: key.jwk, name: 'ledger-sync on accounting PC' } });
    expect(paired.status).toBe(201);

    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Agents' }).click();
    const agentRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'ledger-sync on accounting PC' }) });
    await agentRow.getByText('Active').waitFor();
    await expect(page.getByRole('region', { name: /Pair the agent/ }).count()).resolves.toBe(0);
    await page.getByText('No pairing token is waiting to be used.').waitFor();
    expect(await page.content()).not.toContain(token);

    // Revoking takes a confirmation; then the agent's next token request fails.
    await agentRow.getByRole('button', { name: /^Revoke/ }).click();
    await page.getByRole('group', { name: 'Confirm revoking agent ledger-sync on accounting PC' }).getByRole('button', { name: 'Revoke agent' }).click();
    await agentRow.getByText('Revoked').waitFor();
    await saveScreenshot(page, 'dashboard-agents');
    const { agentId } = (await paired.json()) as { agentId: string };
    expect((await answerChallenge(harness.enclave, agentId, key.privateKey)).status).toBe(401);
    expect(unexpectedConsoleErrors(problems)).toEqual([]);
    await context.close();
  });

  test('[LOG-05] a viewer sees a dataset\'s rows with the sensitive column masked, an admin sees it whole', async () => {
    const workspace = await harness.enclave.createWorkspace('Acme Books');
    const viewer = { id: workspace.id, token: await harness.enclave.addKey(workspace.id, 'viewer') };
    const asViewer = await openDashboard(harness, viewer);
    await asViewer.page.getByRole('link', { name: 'Datasets' }).click();
    await asViewer.page.getByText('No datasets yet: pair an agent or create one through the API.').waitFor();

    const created = await harness.enclave.request('POST', `/api/w/${workspace.id}/datasets`, {
      token: workspace.token,
      body: {
        name: 'customers',
        columns: [
          { name: 'id', type: 'integer' },
          { name: 'name', type: 'text' },
          { name: 'tax_id', type: 'text', sensitive: true },
          { name: 'note', type: 'text' },
        ],
        primaryKey: ['id'],
      },
    });
    expect(created.status).toBe(201);
    const upserts: Record<string, string | number | null>[] = Array.from({ length: 60 }, (_, index) => ({ id: index + 1, name: `Customer ${index + 1}`, tax_id: null, note: null }));
    upserts[0] = { id: 1, name: 'Ada Lovelace', tax_id: TAX_ID, note: `paid with card ${CARD}` };
    // The agent-free batch API, with a key that holds datasets:write.
    const writer = await harness.enclave.addKey(workspace.id, 'builder');
    const batch = await harness.enclave.request('POST', `/api/w/${workspace.id}/datasets/customers/batches`, { token: writer, body: { batchId: 'import-1', upserts } });
    expect(((await batch.json()) as { upserted: number }).upserted).toBe(60);

    const { page } = asViewer;
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Datasets' }).click();
    const listed = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'customers' }) });
    expect(await listed.textContent()).toContain('60');
    await listed.getByRole('button', { name: 'View dataset customers' }).click();
    await page.getByRole('heading', { name: 'Dataset customers' }).waitFor();
    const schemaRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'tax_id' }) });
    expect(await schemaRow.textContent()).toContain('sensitive');

    const rows = page.getByRole('region', { name: 'Rows of customers' });
    const first = rows.getByRole('row').filter({ hasText: 'Ada Lovelace' });
    expect(await first.textContent()).toContain('[REDACTED:sensitive]');
    expect(await first.textContent()).toContain('paid with card [REDACTED:card]');
    await page.getByText('Showing the first 50 rows of 60.').waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('Showing all 60 rows.').waitFor();
    await rows.getByText('Customer 60', { exact: true }).waitFor();
    const viewerPage = await page.content();
    expect(viewerPage).not.toContain(TAX_ID);
    expect(viewerPage).not.toContain(CARD);
    await saveScreenshot(page, 'dashboard-dataset-masked');
    expect(unexpectedConsoleErrors(asViewer.problems)).toEqual([]);
    await asViewer.context.close();

    const admin = { id: workspace.id, token: await harness.enclave.addKey(workspace.id, 'admin') };
    const asAdmin = await openDashboard(harness, admin);
    await asAdmin.page.getByRole('link', { name: 'Datasets' }).click();
    await asAdmin.page.getByRole('button', { name: 'View dataset customers' }).click();
    const whole = asAdmin.page.getByRole('region', { name: 'Rows of customers' }).getByRole('row').filter({ hasText: 'Ada Lovelace' });
    await whole.waitFor();
    expect(await whole.textContent()).toContain(TAX_ID);
    expect(await whole.textContent()).toContain(`paid with card ${CARD}`);
    await saveScreenshot(asAdmin.page, 'dashboard-dataset-revealed');
    await asAdmin.context.close();
  });
});
