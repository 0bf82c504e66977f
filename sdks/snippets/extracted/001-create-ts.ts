import { Vinr } from '@vinr/sdk';

const vinr = new Vinr({ secretKey: process.env.VINR_SECRET_KEY });

const payment = await vinr.payments.create({
amount: 5000,
currency: 'EUR',
payment_method: 'pm_card_visa',
customer: 'cust_8aZ2',
});
